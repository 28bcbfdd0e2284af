package org.supcon.trainer.cli;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.supcon.trainer.data.DatasetSource;
import org.supcon.trainer.data.DatasetSplit;
import org.supcon.trainer.data.ImageSet;
import org.supcon.trainer.export.ModelPublisher;
import org.supcon.trainer.export.ParityReport;
import org.supcon.trainer.repository.ModelRepository;
import org.supcon.trainer.loss.Method;
import org.supcon.trainer.model.EncoderType;
import org.supcon.trainer.model.HeadType;
import org.supcon.trainer.report.TrainingPlots;
import org.supcon.trainer.train.ConsoleProgress;
import org.supcon.trainer.train.LinearClassifier;
import org.supcon.trainer.train.TrainResult;
import org.supcon.trainer.train.TrainSettings;
import org.supcon.trainer.train.TrainingRun;

/**
 * {@code train}: trains, evaluates and writes {@code summary.json}, the weights and a plot into
 * the output directory.
 */
public final class TrainCommand {

    static final Set<String> FLAGS = Set.of("dataset", "method", "encoder", "head", "projection-dim", "epochs",
            "batch-size", "views", "learning-rate", "momentum", "weight-decay", "warmup-epochs", "temperature",
            "base-temperature", "seed", "limit", "validation-fraction", "min-crop-scale", "linear-epochs",
            "linear-learning-rate", "eval-every", "loader-workers", "output", "test-limit", "model-repository", "model-name");

    public static final String USAGE = """
            usage: train [options]
              --dataset fashion-mnist|PATH   data: Fashion-MNIST IDX files (FASHION_MNIST_DIR, default
                                             /usr/share/datasets/fashion-mnist) or a folder PATH/<label>/*.png|jpg
              --method supcon|supcon-in|simclr|ce   loss (default supcon = SupCon L_out; ce = cross-entropy baseline)
              --encoder small-resnet|resnet18|resnet50   (default small-resnet)
              --head mlp|linear              projection head (default mlp)
              --projection-dim N             (default 128)
              --epochs N                     first-stage epochs (default 10)
              --batch-size N                 images per step, each giving --views samples (default 256)
              --views N                      augmented views per image (default 2)
              --learning-rate X              peak SGD learning rate (default 0.05)
              --momentum X --weight-decay X  SGD (defaults 0.9, 1e-4)
              --warmup-epochs X              linear warm-up before the cosine decay (default min(1, epochs/10))
              --temperature X                (default 0.1)
              --base-temperature X           loss scaled by temperature/base (default 0.07)
              --min-crop-scale X             RandomResizedCrop smallest area (default 0.2)
              --linear-epochs N              linear classifier epochs on frozen features (default 30)
              --linear-learning-rate X       (default 0.1)
              --eval-every N                 validation every N epochs, 0 = never (default 1)
              --validation-fraction X        held out of the training images (default 0.1)
              --limit N                      train on the first N training images (default all)
              --test-limit N                 evaluate on the first N test images only (benchmarks; default all)
              --seed N                       (default 42)
              --loader-workers N             augmentation threads (default 1)
              --model-repository ROOT        publish the exported ONNX model as the next version of
                                             ROOT/NAME/<version>/ (model.onnx, model-card.json, plot, summary)
              --model-name NAME              (default fashion-mnist-supcon)
              --output DIR                   run directory (default runs/<method>-<encoder>-<time>);
                                             an existing checkpoint there is resumed
            """;

    private final PrintStream out;

    public TrainCommand(PrintStream out) {
        this.out = out;
    }

    /** Parses the flags into settings; every bad value is a {@link UsageException} naming the flag. */
    public static TrainSettings parse(List<String> args) {
        return settings(Flags.parse("train", args, FLAGS, Set.of()));
    }

    private static TrainSettings settings(Flags f) {
        Method method = f.get("method", Method.SUPCON, Method::fromName, "one of supcon, supcon-in, simclr, ce");
        EncoderType encoder = f.get("encoder", EncoderType.SMALL_RESNET, EncoderType::fromName,
                "one of small-resnet, resnet18, resnet50");
        HeadType head = f.get("head", HeadType.MLP, v -> HeadType.valueOf(v.toUpperCase(Locale.ROOT)), "mlp or linear");
        Path output = f.has("output") ? Path.of(f.string("output", null))
                : Path.of("runs", method.cliName() + "-" + encoder.cliName() + "-"
                        + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        TrainSettings d = TrainSettings.defaults(output);
        try {
            return new TrainSettings(
                    f.string("dataset", d.dataset()), method, encoder, head,
                    f.integer("projection-dim", d.projectionDim()),
                    f.integer("epochs", d.epochs()),
                    f.integer("batch-size", d.batchSize()),
                    f.integer("views", d.views()),
                    f.number("learning-rate", d.learningRate()),
                    f.number("momentum", d.momentum()),
                    f.number("weight-decay", d.weightDecay()),
                    f.number("warmup-epochs", Math.min(d.warmupEpochs(), 0.1 * f.integer("epochs", d.epochs()))),
                    f.number("temperature", d.temperature()),
                    f.number("base-temperature", d.baseTemperature()),
                    f.longValue("seed", d.seed()),
                    f.integer("limit", d.limit()),
                    f.number("validation-fraction", d.validationFraction()),
                    f.number("min-crop-scale", d.minCropScale()),
                    f.integer("linear-epochs", d.linearEpochs()),
                    f.number("linear-learning-rate", d.linearLearningRate()),
                    f.integer("eval-every", d.evalEvery()),
                    f.integer("loader-workers", d.loaderWorkers()),
                    output);
        } catch (IllegalArgumentException e) {
            throw new UsageException("train: " + e.getMessage());
        }
    }

    /** Loads the data, runs training and writes the outputs; returns the result. */
    public TrainResult run(List<String> args) throws IOException {
        Flags f = Flags.parse("train", args, FLAGS, Set.of());
        TrainSettings s = settings(f);
        int testLimit = f.integer("test-limit", 0);
        if (testLimit < 0) {
            throw new UsageException("train: --test-limit must not be negative, got " + testLimit);
        }
        String modelName = f.string("model-name", DEFAULT_MODEL_NAME);
        if (!modelName.matches("[A-Za-z0-9][A-Za-z0-9._-]*") || modelName.contains("..")) {
            throw new UsageException("train: --model-name '" + modelName + "' may hold only letters, digits, '.', '-' and '_'");
        }
        Path repository = f.has("model-repository") ? Path.of(f.string("model-repository", null)) : null;
        return run(s, testLimit, modelName, repository);
    }

    public static final String DEFAULT_MODEL_NAME = "fashion-mnist-supcon";

    public TrainResult run(TrainSettings s, int testLimit, String modelName, Path repositoryRoot) throws IOException {
        long t0 = System.nanoTime();
        out.println("loading " + s.dataset() + " ...");
        DatasetSource.Loaded loaded = DatasetSource.load(s.dataset());
        ImageSet train = loaded.train();
        if (s.limit() > 0 && s.limit() < train.size()) {
            train = train.head(s.limit());
        }
        ImageSet test = testLimit > 0 && testLimit < loaded.test().size() ? loaded.test().head(testLimit) : loaded.test();
        DatasetSplit.Split split = DatasetSplit.split(train, s.validationFraction(), s.seed());
        TrainingRun.Data data = new TrainingRun.Data(split.train(), split.validation(), test, loaded.description());
        out.printf(Locale.ROOT, "data: %s; %d train, %d validation, %d test images of %s; %d classes (%.1f s)%n",
                loaded.description(), split.train().size(), split.validation().size(), test.size(),
                train.geometry(), train.numClasses(), (System.nanoTime() - t0) / 1e9);
        out.printf(Locale.ROOT, "training %s with %s, %d epochs, batch %d x %d views, lr %s -> %s%n",
                s.method().cliName(), s.encoder().cliName(), s.epochs(), s.batchSize(), s.views(), s.learningRate(),
                s.output());
        Files.createDirectories(s.output());
        TrainResult result;
        ModelPublisher.Outcome exported;
        try (NDManager manager = NDManager.newBaseManager()) {
            TrainingRun.Trained[] trained = new TrainingRun.Trained[1];
            result = new TrainingRun(s, data, ConsoleProgress.forStdout()).run(manager, t -> trained[0] = t);
            writeWeights(s.output(), trained[0].net(), trained[0].classifier(), manager);
            writeSummary(s.output().resolve("summary.json"), result, null);
            TrainingPlots.write(result, s.output().resolve("training.png"));
            out.printf(Locale.ROOT, "%n== %s / %s: test accuracy %.4f (%d test images, final epoch), validation %.4f%n",
                    result.method(), result.encoder(), result.testAccuracy(), result.testImages(), result.validationAccuracy());
            out.printf(Locale.ROOT, "   training %.0f img/s (median over epochs), data wait %.1f%% of step time, wall %.0f s%n",
                    result.imagesPerSecond(), 100 * result.dataWaitShare(), result.wallSeconds());
            out.println("exporting ONNX and checking parity with DJL on " + Math.min(ModelPublisher.PARITY_IMAGES, test.size())
                    + " test images ...");
            exported = ModelPublisher.exportAndPublish(manager, trained[0], result, data, modelName,
                    repositoryRoot == null ? null : new ModelRepository(repositoryRoot), s.output(),
                    Map.of("training.png", s.output().resolve("training.png"), "summary.json", s.output().resolve("summary.json")));
        }
        writeSummary(s.output().resolve("summary.json"), result, exported);
        ParityReport p = exported.parity();
        out.printf(Locale.ROOT, "   ONNX parity: max |diff| embedding %.1e, logits %.1e, argmax agreement %.0f%% (batches %s) -> %s (%.1f MB, %.1f s)%n",
                p.maxEmbeddingDiff(), p.maxLogitDiff(), 100 * p.argmaxAgreement(), p.batchSizes(), exported.runModel(),
                exported.sizeBytes() / 1e6, exported.exportSeconds());
        if (exported.published() != null) {
            out.printf(Locale.ROOT, "   published %s version %d: %s%n", exported.published().name(), exported.published().version(),
                    exported.published().directory());
        }
        out.println("   wrote " + s.output().resolve("summary.json") + ", training.png, model.onnx, model.params"
                + (s.contrastive() ? ", classifier.ndlist" : ""));
        return result;
    }

    private static void writeWeights(Path dir, ai.djl.nn.Block net, LinearClassifier classifier, NDManager manager)
            throws IOException {
        try (DataOutputStream os = new DataOutputStream(Files.newOutputStream(dir.resolve("model.params")))) {
            net.saveParameters(os);
        }
        if (classifier != null) {
            try (NDManager m = manager.newSubManager(); OutputStream os = Files.newOutputStream(dir.resolve("classifier.ndlist"))) {
                NDList list = new NDList(
                        m.create(classifier.weight(), new Shape(classifier.classes(), classifier.dim())),
                        m.create(classifier.bias()));
                list.get(0).setName("weight");
                list.get(1).setName("bias");
                list.encode(os);
            }
        }
    }

    public static void writeSummary(Path file, TrainResult r, ModelPublisher.Outcome exported) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("method", r.method());
        m.put("encoder", r.encoder());
        m.put("epochs", r.epochs());
        m.put("testAccuracy", r.testAccuracy());
        m.put("validationAccuracy", Double.isNaN(r.validationAccuracy()) ? null : r.validationAccuracy());
        m.put("imagesPerSecond", r.imagesPerSecond());
        m.put("dataWaitShare", r.dataWaitShare());
        m.put("wallSeconds", r.wallSeconds());
        m.put("trainSeconds", r.trainSeconds());
        m.put("linearSeconds", r.linearSeconds());
        m.put("trainImages", r.trainImages());
        m.put("validationImages", r.validationImages());
        m.put("testImages", r.testImages());
        m.put("resumedFromEpoch", r.resumedFromEpoch());
        m.put("parameters", r.parameters());
        m.put("labels", r.labels());
        m.put("confusionMatrix", r.confusionMatrix());
        m.put("history", r.history().stream().map(h -> {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("epoch", h.epoch());
            e.put("loss", h.loss());
            e.put("learningRate", h.learningRate());
            e.put("imagesPerSecond", h.imagesPerSecond());
            e.put("dataWaitShare", h.dataWaitShare());
            e.put("validationAccuracy", Double.isNaN(h.validationAccuracy()) ? null : h.validationAccuracy());
            e.put("seconds", h.seconds());
            return e;
        }).toList());
        if (exported != null) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("file", exported.runModel().toString());
            x.put("sizeBytes", exported.sizeBytes());
            x.put("exportSeconds", exported.exportSeconds());
            x.put("parityMaxEmbeddingDiff", exported.parity().maxEmbeddingDiff());
            x.put("parityMaxLogitDiff", exported.parity().maxLogitDiff());
            x.put("parityArgmaxAgreement", exported.parity().argmaxAgreement());
            if (exported.published() != null) {
                x.put("modelName", exported.published().name());
                x.put("modelVersion", exported.published().version());
                x.put("modelDirectory", exported.published().directory().toString());
            }
            m.put("onnx", x);
        }
        m.put("settings", r.settings());
        m.put("environment", r.environment());
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), m);
    }
}
