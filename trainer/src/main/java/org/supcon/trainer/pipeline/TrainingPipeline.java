package org.supcon.trainer.pipeline;

import ai.djl.Device;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.function.BooleanSupplier;
import org.jboss.logging.Logger;
import org.supcon.trainer.images.DatasetSplit;
import org.supcon.trainer.images.ImageSet;
import org.supcon.trainer.report.Pca;
import org.supcon.trainer.report.RunReport;
import org.supcon.trainer.repository.ModelRepository;
import org.supcon.trainer.repository.PublishedVersion;
import org.supcon.trainer.robustness.CorruptionGrid;
import org.supcon.trainer.robustness.RobustnessEvaluation;
import org.supcon.trainer.robustness.RobustnessReport;
import org.supcon.trainer.settings.RunSettings;
import org.supcon.trainer.train.EpochStats;
import org.supcon.trainer.train.Features;
import org.supcon.trainer.train.LinearClassifier;
import org.supcon.trainer.train.ProgressListener;
import org.supcon.trainer.train.TrainResult;
import org.supcon.trainer.train.TrainingRun;

/**
 * One training run, end to end, the same for the {@code train} command and for
 * {@code POST /training-runs}: load and split the images ({@link DataSource}), train (first
 * stage with per-epoch checkpoints, then the linear probe on the frozen encoder), evaluate on
 * the held-out test part, embed every sample into the version's vector index
 * ({@link DatasetIndex}, with {@code searchIndex}), evaluate the exported model under image corruptions
 * ({@link RunRobustness}, with {@code robustness}), write the summary, the weights and the report, ask the publication
 * {@link Gate}, export ONNX and check it against DJL ({@link Publisher}), publish the version and
 * announce it ({@link ModelEvents}). Each {@link Phase} and every step is reported to a
 * {@link RunListener}; a stop request ends the run at the next step with a
 * {@link TrainingRun.RunStoppedException}, its checkpoint kept for a resume.
 */
public final class TrainingPipeline {

    private static final Logger LOG = Logger.getLogger(TrainingPipeline.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Test images drawn in the embedding projection. */
    static final int PROJECTION_POINTS = 2000;
    /** Suspected mislabels shown in the report (all of them are in label-issues.json). */
    static final int REPORT_SUSPECTS = 12;
    public static final String WEIGHTS = "model.params";
    public static final String CLASSIFIER = "classifier.ndlist";

    /**
     * Where a run's model goes.
     *
     * @param repository where versions are published; null to never publish
     * @param gate whether a run may replace the published version
     * @param events announces a published version
     */
    public record Target(String modelName, ModelRepository repository, Gate gate, ModelEvents events) {
        public Target {
            Objects.requireNonNull(modelName, "modelName");
            Objects.requireNonNull(gate, "gate");
            events = events == null ? ModelEvents.NONE : events;
        }
    }

    /** What a run produced: its result, the gate's decision and the export (with the version, when published). */
    public record Outcome(TrainResult result, Gate.Decision gate, Publisher.Outcome export) {
        public PublishedVersion published() {
            return export.published();
        }
    }

    private final Target target;
    private final Device device;

    public TrainingPipeline(Target target, Device device) {
        this.target = target;
        this.device = device;
    }

    /**
     * Runs {@code settings} over {@code source} in {@code output} (checkpoint, summary, weights,
     * report, model.onnx); {@code runId} names the run in the report and the model card.
     */
    public Outcome run(String runId, RunSettings settings, DataSource source, Path output, RunListener listener,
            BooleanSupplier stop) throws IOException {
        Files.createDirectories(output);
        listener.onPhase(Phase.SNAPSHOT, "loading the images");
        DataSource.Loaded loaded = source.load(settings, output);
        ImageSet train = head(loaded.train(), settings.limit());
        ImageSet test = head(loaded.test(), settings.testLimit());
        DatasetSplit.Split split = DatasetSplit.split(train, settings.validationFraction(), settings.seed());
        if (settings.labelNoise() > 0) {
            LabelNoise.Applied noisy = LabelNoise.apply(split.train(), settings.labelNoise(), settings.seed());
            noisy.record().write(output.resolve(LabelNoise.FILE));
            LOG.infof("run %s: flipped %d of %d training labels (labelNoise %.3f), recorded in %s", runId,
                    noisy.record().flips().size(), split.train().size(), settings.labelNoise(), LabelNoise.FILE);
            split = new DatasetSplit.Split(noisy.images(), split.validation());
        }
        DatasetFacts facts = new DatasetFacts(loaded.train().size() + loaded.test().size(), train.labelNames(),
                split.train().size(), split.validation().size(), test.size(), loaded.testSplit(), loaded.offsets());
        listener.onData(facts);
        TrainingRun.Data data = new TrainingRun.Data(split.train(), split.validation(), test, loaded.dataset(),
                loaded.description());

        listener.onPhase(Phase.TRAINING, String.format(Locale.ROOT,
                "%s; %d train, %d validation, %d test images of %s; %d labels; %s with %s, %d epochs, batch %d x %d views%s",
                loaded.description(), split.train().size(), split.validation().size(), test.size(), train.geometry(),
                train.numClasses(), settings.method(), settings.encoder(), settings.epochs(), settings.batchSize(),
                settings.views(), settings.queueSize() == 0 ? ""
                        : String.format(Locale.ROOT, ", queue %d (momentum encoder %s)", settings.queueSize(),
                                settings.queueMomentum())));
        try (NDManager manager = NDManager.newBaseManager(device)) {
            TrainingRun.Trained trained = new TrainingRun(settings, data, output, new PhaseMarks(listener))
                    .stopWhen(stop).run(manager);
            TrainResult result = trained.result();
            listener.onEvaluated(RunMetrics.of(result));
            if (stop.getAsBoolean()) {
                throw new TrainingRun.RunStoppedException("stopped after the evaluation");
            }

            DatasetIndex.Built index = null;
            if (settings.searchIndex()) {
                int samples = data.train().size() + data.validation().size() + data.test().size();
                listener.onPhase(Phase.INDEX, "embedding " + samples + " images (train, validation, test) into the vector index");
                index = DatasetIndex.build(manager, trained.net(), data, output, settings, target.modelName(), runId,
                        listener);
                RunSummary.SearchIndex built = RunSummary.SearchIndex.of(index);
                LOG.infof("run %s: vector index of %d vectors of %d, %d bytes; embedding %.1f s, graph %.1f s;"
                        + " %s (label vote %.1f s, duplicate search %.1f s)", runId, built.count(), built.dimension(),
                        built.sizeBytes(), built.embeddingSeconds(), built.buildSeconds(), built.qualityLine(),
                        built.mislabelSeconds(), built.duplicateSeconds());
                listener.onIndexed(built);
                if (stop.getAsBoolean()) {
                    throw new TrainingRun.RunStoppedException("stopped after building the vector index");
                }
            }

            RunSummary.Robustness robustness = null;
            RunReport.Robustness robustnessSection = null;
            if (settings.robustness()) {
                listener.onPhase(Phase.ROBUSTNESS, "evaluating the exported model on " + test.size()
                        + " test images under 13 corruptions at severities 1-5");
                RobustnessReport r = RunRobustness.evaluate(trained, data.test(), loaded.description(), target.modelName(),
                        runId, settings.seed(), output, listener);
                robustness = RunSummary.Robustness.of(output.resolve(RobustnessReport.FILE), r);
                robustnessSection = new RunReport.Robustness(r, output.resolve(RobustnessEvaluation.HEAT_MAP),
                        output.resolve(CorruptionGrid.FILE));
                if (stop.getAsBoolean()) {
                    throw new TrainingRun.RunStoppedException("stopped after the robustness evaluation");
                }
            }

            listener.onPhase(Phase.REPORT, "writing the summary, the weights and the report");
            writeWeights(output, trained, manager);
            Path summary = output.resolve(RunSummary.FILE);
            RunSummary.of(result, index, robustness, null).write(summary);
            Gate.Decision decision = decide(result);
            listener.onGate(decision);
            Map<String, Path> files = new LinkedHashMap<>();
            files.put(RunSummary.FILE, summary);
            files.put(LabelNoise.FILE, output.resolve(LabelNoise.FILE)); // published only when the run flipped labels
            if (robustness != null) {
                files.put(RobustnessReport.FILE, output.resolve(RobustnessReport.FILE));
                files.put(RobustnessEvaluation.HEAT_MAP, output.resolve(RobustnessEvaluation.HEAT_MAP));
            }
            files.putAll(report(output, runId, trained, data, facts, decision, manager,
                    index == null ? null : DatasetIndex.reportSection(index, train.labelNames(), REPORT_SUSPECTS),
                    robustnessSection));
            LOG.infof("run %s: test accuracy %.4f; gate: %s", runId, result.testAccuracy(), decision.reason());

            listener.onPhase(Phase.EXPORT, decision.publish() ? "exporting ONNX, checking parity, publishing"
                    : "exporting ONNX and checking parity (not publishing: " + decision.reason() + ")");
            Publisher.Outcome exported = Publisher.exportAndPublish(manager, trained, data, target.modelName(),
                    decision.publish() ? target.repository() : null, output, files, index);
            RunSummary.of(result, index, robustness, exported).write(summary);
            PublishedVersion v = exported.published();
            if (v != null) {
                listener.onPublished(v);
            }
            if (v != null && target.events() != ModelEvents.NONE) {
                listener.onPhase(Phase.EVENT, "announcing " + v.name() + " version " + v.version());
                try {
                    target.events().published(v, runId);
                    listener.onEvent(true, null);
                } catch (Exception e) {
                    // the version is published and immutable; the inference service also polls the repository
                    LOG.errorf("run %s: version %d published but the ModelPublished event failed: %s", runId, v.version(), e);
                    listener.onEvent(false, "version " + v.version() + " was published but the ModelPublished event was not sent: " + e);
                }
            }
            return new Outcome(result, decision, exported);
        }
    }

    private static ImageSet head(ImageSet set, int limit) {
        return limit > 0 && limit < set.size() ? set.head(limit) : set;
    }

    /** The gate against the latest published version; without a repository nothing is published. */
    private Gate.Decision decide(TrainResult result) throws IOException {
        ModelRepository repository = target.repository();
        if (repository == null) {
            return new Gate.Decision(false, "no model repository configured", result.testAccuracy(), null, null);
        }
        OptionalDouble current = OptionalDouble.empty();
        long currentVersion = 0;
        var latest = repository.latest(target.modelName());
        if (latest.isPresent()) {
            currentVersion = latest.get().version();
            Double acc = latest.get().card().metrics().get("testAccuracy");
            current = acc == null ? OptionalDouble.empty() : OptionalDouble.of(acc);
        }
        return target.gate().decide(result.testAccuracy(), currentVersion, current);
    }

    /** The HTML report with its plots: curves, confusion matrix and a 2-D projection of test embeddings. */
    private Map<String, Path> report(Path output, String runId, TrainingRun.Trained trained, TrainingRun.Data data,
            DatasetFacts facts, Gate.Decision decision, NDManager manager, RunReport.Quality quality,
            RunReport.Robustness robustness) throws IOException {
        ImageSet shown = data.test().head(Math.min(PROJECTION_POINTS, data.test().size()));
        Features emb = TrainingRun.encode(trained.net(), new ParameterStore(manager, false), manager, shown, true);
        double[][] xy = Pca.project(emb.values(), emb.rows(), emb.dim(), 2);
        @SuppressWarnings("unchecked")
        Map<String, Object> dataset = JSON.convertValue(facts, Map.class);
        return RunReport.write(output, target.modelName() + " run " + runId, trained.result(), xy, emb.labels(), decision,
                dataset, quality, robustness);
    }

    /** The DJL weights beside the ONNX model: the network and, after a linear probe, its classifier. */
    private static void writeWeights(Path dir, TrainingRun.Trained trained, NDManager manager) throws IOException {
        try (DataOutputStream os = new DataOutputStream(Files.newOutputStream(dir.resolve(WEIGHTS)))) {
            trained.net().saveParameters(os);
        }
        LinearClassifier classifier = trained.classifier();
        if (classifier != null) {
            try (NDManager m = manager.newSubManager(); OutputStream os = Files.newOutputStream(dir.resolve(CLASSIFIER))) {
                NDList list = new NDList(
                        m.create(classifier.weight(), new Shape(classifier.classes(), classifier.dim())),
                        m.create(classifier.bias()));
                list.get(0).setName("weight");
                list.get(1).setName("bias");
                list.encode(os);
            }
        }
    }

    /** Passes the engine's progress on and marks the linear probe and the evaluation as phases. */
    private record PhaseMarks(RunListener listener) implements ProgressListener {

        @Override
        public void onStep(Step step) {
            listener.onStep(step);
        }

        @Override
        public void onEpoch(EpochStats stats, int epochs) {
            listener.onEpoch(stats, epochs);
        }

        @Override
        public void onResumed(int completedEpochs, int epochs, Path checkpoint) {
            listener.onResumed(completedEpochs, epochs, checkpoint);
        }

        @Override
        public void onLinearProbe(int trainImages) {
            listener.onLinearProbe(trainImages);
            listener.onPhase(Phase.LINEAR_PROBE, "linear stage: features of " + trainImages
                    + " training images from the frozen encoder");
        }

        @Override
        public void onEvaluation(int testImages) {
            listener.onEvaluation(testImages);
            listener.onPhase(Phase.EVALUATION, "evaluating on " + testImages + " test images");
        }
    }
}
