package org.supcon.trainer.cli;

import ai.djl.Device;
import ai.djl.engine.Engine;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.supcon.trainer.config.TrainerConfig;
import org.supcon.trainer.export.ParityReport;
import org.supcon.trainer.pipeline.DatasetFacts;
import org.supcon.trainer.pipeline.DeviceChoice;
import org.supcon.trainer.pipeline.FileSource;
import org.supcon.trainer.pipeline.Gate;
import org.supcon.trainer.pipeline.ModelEvents;
import org.supcon.trainer.pipeline.Phase;
import org.supcon.trainer.pipeline.Publisher;
import org.supcon.trainer.pipeline.RunListener;
import org.supcon.trainer.pipeline.RunSummary;
import org.supcon.trainer.pipeline.TrainingPipeline;
import org.supcon.trainer.repository.ModelRepository;
import org.supcon.trainer.settings.InvalidSettingsException;
import org.supcon.trainer.settings.RunSettings;
import org.supcon.trainer.settings.SettingsBinding;
import org.supcon.trainer.train.ConsoleProgress;
import org.supcon.trainer.train.TrainResult;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code train}: one training run of the {@link TrainingPipeline} over files, with progress on
 * the console. Every run setting is an option ({@code --batch-size} for {@code batchSize}), added
 * from {@link RunSettings}' components with their defaults from {@code trainer.runs.*}.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train an encoder (SupCon, SimCLR or the cross-entropy baseline), fit the linear classifier, evaluate,"
                + " write summary.json, the weights and the report into --output, export ONNX checked against DJL and,"
                + " with --model-repository, publish it as the next version (when the gate passes).",
            "Run settings (defaults from trainer.runs.*, the same as a POST /training-runs body):"})
public class TrainCommand implements Callable<Integer> {

    @Option(names = "--dataset", paramLabel = "fashion-mnist|PATH", defaultValue = "fashion-mnist",
            description = "Fashion-MNIST IDX files (FASHION_MNIST_DIR, default /usr/share/datasets/fashion-mnist) or a folder"
                    + " PATH/<label>/*.png|jpg (default: ${DEFAULT-VALUE})")
    String dataset;

    @Option(names = "--output", paramLabel = "DIR",
            description = "run directory (default runs/<method>-<encoder>-<time>); an existing checkpoint there is resumed")
    Path output;

    @Option(names = "--model-repository", paramLabel = "ROOT",
            description = "publish the exported ONNX model as the next version of ROOT/NAME/<version>/")
    Path modelRepository;

    @Option(names = "--model-name", paramLabel = "NAME", description = "NAME in the model repository (default: trainer.model-name)")
    String modelName;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final TrainerConfig config;
    private final ObjectNode defaults;
    PrintStream out = System.out;

    @Inject
    public TrainCommand(TrainerConfig config) {
        this.config = config;
        this.defaults = SettingsBinding.defaults(config.runs());
    }

    /** One option per setting, {@code --kebab-case}, documented by the setting's {@code @Doc} and its default. */
    void addSettingOptions(CommandLine.Model.CommandSpec command) {
        Map<String, String> docs = SettingsBinding.docs();
        for (String field : SettingsBinding.FIELDS) {
            Class<?> type = SettingsBinding.type(field);
            String label = type.isEnum() ? SettingsBinding.names(type).replace(", ", "|")
                    : type == int.class || type == long.class ? "N" : "X";
            String dflt = defaults.has(field) ? " (default: " + defaults.get(field).asText() + ")" : "";
            command.addOption(CommandLine.Model.OptionSpec.builder(SettingsBinding.option(field))
                    .type(String.class).paramLabel(label).description(docs.get(field) + dflt).build());
        }
    }

    /** The run settings the options give, over the defaults; a bad value is a usage error naming its option. */
    RunSettings settings() {
        Map<String, String> given = new LinkedHashMap<>();
        for (String field : SettingsBinding.FIELDS) {
            CommandLine.Model.OptionSpec o = spec.findOption(SettingsBinding.option(field));
            if (o != null && o.getValue() != null) {
                given.put(field, o.getValue());
            }
        }
        try {
            return SettingsBinding.bindText(defaults, given);
        } catch (InvalidSettingsException e) {
            String problem = e.field() == null ? e.getMessage() : e.getMessage().substring(e.field().length() + 2);
            throw new CommandLine.ParameterException(spec.commandLine(),
                    (e.field() == null ? "" : SettingsBinding.option(e.field()) + " ") + problem);
        }
    }

    @Override
    public Integer call() throws IOException {
        RunSettings s = settings();
        String name = modelName == null ? config.modelName() : modelName;
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]*") || name.contains("..")) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--model-name '" + name + "' may hold only letters, digits, '.', '-' and '_'");
        }
        Path dir = output != null ? output : Path.of("runs", s.method().cliName() + "-" + s.encoder().cliName() + "-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        Device device = DeviceChoice.choose(DeviceChoice.Setting.valueOf(config.device().name()), Engine.getInstance().getGpuCount());
        TrainingPipeline pipeline = new TrainingPipeline(new TrainingPipeline.Target(name,
                modelRepository == null ? null : new ModelRepository(modelRepository),
                new Gate(config.gate().enabled(), config.gate().tolerance()), ModelEvents.NONE), device);
        out.println("training " + s.method() + " with " + s.encoder() + " on " + device + " -> " + dir);
        TrainingPipeline.Outcome o = pipeline.run(dir.getFileName().toString(), s, new FileSource(dataset), dir,
                new Console(out), () -> false);
        printSummary(o, dir);
        return 0;
    }

    private void printSummary(TrainingPipeline.Outcome o, Path dir) {
        TrainResult r = o.result();
        out.printf(Locale.ROOT, "%n== %s / %s: test accuracy %.4f (%d test images, final epoch), validation %.4f%n",
                r.method(), r.encoder(), r.testAccuracy(), r.testImages(), r.validationAccuracy());
        out.printf(Locale.ROOT, "   training %.0f img/s (median over epochs), data wait %.1f%% of step time, wall %.0f s%n",
                r.imagesPerSecond(), 100 * r.dataWaitShare(), r.wallSeconds());
        Publisher.Outcome x = o.export();
        ParityReport p = x.parity();
        out.printf(Locale.ROOT, "   ONNX parity: max |diff| embedding %.1e, logits %.1e, argmax agreement %.0f%% (batches %s) -> %s (%.1f MB, %.1f s)%n",
                p.maxEmbeddingDiff(), p.maxLogitDiff(), 100 * p.argmaxAgreement(), p.batchSizes(), x.runModel(),
                x.sizeBytes() / 1e6, x.exportSeconds());
        out.println("   gate: " + o.gate().reason());
        if (o.published() != null) {
            out.printf(Locale.ROOT, "   published %s version %d: %s%n", o.published().name(), o.published().version(),
                    o.published().directory());
        }
        out.println("   wrote " + dir.resolve(RunSummary.FILE) + ", report.html, training.png, model.onnx, "
                + TrainingPipeline.WEIGHTS + (Files.exists(dir.resolve(TrainingPipeline.CLASSIFIER)) ? ", " + TrainingPipeline.CLASSIFIER : ""));
    }

    /** The run's progress on a terminal: steps and epochs as bars and lines ({@link ConsoleProgress}), phases as lines. */
    static final class Console extends ConsoleProgress implements RunListener {
        private final PrintStream out;

        Console(PrintStream out) {
            super(out, out == System.out && System.console() != null);
            this.out = out;
        }

        @Override
        public void onPhase(Phase phase, String message) {
            out.println("[" + phase + "] " + message);
        }

        @Override
        public void onIndexed(RunSummary.SearchIndex i) {
            out.printf(Locale.ROOT, "vector index: %d vectors of %d, %.1f MB; embedding %.1f s, graph %.1f s -> %s%n",
                    i.count(), i.dimension(), i.sizeBytes() / 1e6, i.embeddingSeconds(), i.buildSeconds(), i.file());
            out.printf(Locale.ROOT, "data quality: %s (label vote %.1f s, duplicate search %.1f s)%n", i.qualityLine(),
                    i.mislabelSeconds(), i.duplicateSeconds());
        }

        @Override
        public void onData(DatasetFacts f) {
            out.printf(Locale.ROOT, "data: %d train, %d validation, %d test images; %d classes; test split: %s%n",
                    f.trainImages(), f.validationImages(), f.testImages(), f.labels().size(), f.testSplit());
        }
    }
}
