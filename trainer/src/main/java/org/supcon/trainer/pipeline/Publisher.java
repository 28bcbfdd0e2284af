package org.supcon.trainer.pipeline;

import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongFunction;
import org.supcon.common.repository.RepositoryLayout;
import org.supcon.trainer.augment.Augmenter;
import org.supcon.trainer.export.ModelMetadata;
import org.supcon.trainer.export.OnnxExporter;
import org.supcon.trainer.export.ParityCheck;
import org.supcon.trainer.export.ParityReport;
import org.supcon.trainer.images.ImageGeometry;
import org.supcon.trainer.images.ImageSet;
import org.supcon.trainer.io.Durable;
import org.supcon.trainer.quality.LabelIssues;
import org.supcon.trainer.quality.NearDuplicates;
import org.supcon.trainer.repository.ModelCardDraft;
import org.supcon.trainer.repository.ModelRepository;
import org.supcon.trainer.repository.PublishedVersion;
import org.supcon.trainer.train.TrainResult;
import org.supcon.trainer.train.TrainingRun;

/**
 * From a trained model to a verified ONNX file and, when a repository is given, a new
 * immutable model version: export, parity check against DJL on real test images, then publish.
 * An export that fails the parity check is never written or published; the exception says why.
 */
public final class Publisher {

    /** Images of the test set the parity check runs on (batch 1 and batches of this size). */
    public static final int PARITY_IMAGES = 64;

    /** What an export produced. */
    public record Outcome(Path runModel, ParityReport parity, PublishedVersion published, int sizeBytes, double exportSeconds) {}

    /** Raised when the exported model does not reproduce the DJL model. */
    public static final class ParityException extends IllegalStateException {
        private final transient ParityReport report;

        public ParityException(ParityReport report) {
            super("the ONNX export was not published: " + report.message());
            this.report = report;
        }

        public ParityReport report() {
            return report;
        }
    }

    private Publisher() {}

    /**
     * Exports {@code trained}, checks parity on the first test images, writes
     * {@code runDir/model.onnx} and, if {@code repository} is not null, publishes it as the next
     * version of {@code modelName} with the run's summary and plot beside it and, when the run
     * built one, its vector index (named in the model card, its cost in the provenance).
     *
     * @param index the run's vector index, or null
     */
    public static Outcome exportAndPublish(NDManager manager, TrainingRun.Trained trained, TrainingRun.Data data,
            String modelName, ModelRepository repository, Path runDir, Map<String, Path> extraFiles,
            DatasetIndex.Built index) throws IOException {
        long t0 = System.nanoTime();
        TrainResult result = trained.result();
        ImageSet test = data.test();
        ImageGeometry g = test.geometry();
        int n = Math.min(PARITY_IMAGES, test.size());
        float[] images = new float[n * g.pixels()];
        for (int i = 0; i < n; i++) {
            Augmenter.copy(test.pixels(), test.offset(i), g, images, i * g.pixels());
        }
        ParameterStore ps = new ParameterStore(manager, false);
        Map<String, Object> provenance = provenance(result, data, modelName, index);
        ParityReport[] parity = new ParityReport[1];
        java.util.function.LongFunction<byte[]> build = version -> {
            byte[] onnx = OnnxExporter.export(trained.net(), trained.classifier(), g,
                    ModelMetadata.entries(result.labels(), g, modelName, version > 0 ? Long.toString(version) : "unpublished", provenance));
            ParityReport report = ParityCheck.run(manager, ps, trained.net(), trained.classifier(), onnx, images, g, n);
            if (!report.passed()) {
                throw new ParityException(report);
            }
            parity[0] = report;
            return onnx;
        };
        // One export and one parity check: the bytes published (with their version in the
        // metadata) are the bytes written beside the run; without a repository, "unpublished".
        byte[][] last = new byte[1][];
        PublishedVersion published = null;
        if (repository != null) {
            Map<String, Double> metrics = new LinkedHashMap<>();
            metrics.put("testAccuracy", result.testAccuracy());
            if (!Double.isNaN(result.validationAccuracy())) {
                metrics.put("validationAccuracy", result.validationAccuracy());
            }
            ModelCardDraft draft = ModelCardDraft.builder()
                    .setModelName(modelName)
                    .setLabels(result.labels())
                    .setInputShape(g.channels(), g.height(), g.width())
                    .optMetrics(metrics)
                    .optProvenance(provenance)
                    .optRunId(runDir.getFileName().toString())
                    .optIndex(index == null ? null : index.card())
                    .build();
            Map<String, Path> extras = new LinkedHashMap<>();
            extraFiles.forEach((k, v) -> {
                if (Files.isRegularFile(v)) {
                    extras.put(k, v);
                }
            });
            Map<String, LongFunction<byte[]>> versioned = new LinkedHashMap<>();
            if (index != null) {
                extras.put(index.card().file(), index.file());
                versioned.put(LabelIssues.FILE, version -> index.labelIssues().withVersion(version).toJson());
                versioned.put(NearDuplicates.FILE, version -> index.nearDuplicates().withVersion(version).toJson());
            }
            published = repository.publish(version -> last[0] = build.apply(version), draft, extras, versioned);
            if (index != null) {
                // the run's copies say which version they became, as the published ones do
                index.labelIssues().withVersion(published.version()).write(runDir.resolve(LabelIssues.FILE));
                index.nearDuplicates().withVersion(published.version()).write(runDir.resolve(NearDuplicates.FILE));
            }
        } else {
            last[0] = build.apply(0);
        }
        byte[] local = last[0];
        Path runModel = runDir.resolve(RepositoryLayout.MODEL_FILE);
        Durable.writeAtomically(runModel, local);
        return new Outcome(runModel, parity[0], published, local.length, (System.nanoTime() - t0) / 1e9);
    }

    /** The run's provenance, as recorded in the ONNX metadata and the model card. */
    static Map<String, Object> provenance(TrainResult r, TrainingRun.Data data, String modelName, DatasetIndex.Built index) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("modelName", modelName);
        p.put("method", r.method());
        p.put("encoder", r.encoder());
        p.put("dataset", data.description());
        p.put("trainImages", r.trainImages());
        p.put("validationImages", r.validationImages());
        p.put("testImages", r.testImages());
        p.put("testAccuracy", r.testAccuracy());
        p.put("validationAccuracy", Double.isNaN(r.validationAccuracy()) ? null : r.validationAccuracy());
        p.put("hyperparameters", r.settings());
        p.put("software", r.environment());
        p.put("trainSeconds", r.trainSeconds());
        if (index != null) {
            Map<String, Object> cost = new LinkedHashMap<>();
            cost.put("count", index.card().count());
            cost.put("dimension", index.card().dimension());
            cost.put("sizeBytes", index.card().sizeBytes());
            cost.put("embeddingSeconds", index.embeddingSeconds());
            cost.put("buildSeconds", index.buildSeconds());
            cost.put("mislabelSeconds", index.mislabelSeconds());
            cost.put("duplicateSeconds", index.duplicateSeconds());
            cost.put("suspectedMislabels", index.labelIssues().suspects().size());
            cost.put("nearDuplicateGroups", index.nearDuplicates().groups().size());
            cost.put("crossSplitPairs", index.nearDuplicates().crossSplitPairsTotal());
            p.put("searchIndex", cost);
        }
        p.put("created", Instant.now().toString());
        return p;
    }
}
