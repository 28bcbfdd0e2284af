package org.supcon.trainer.pipeline;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.supcon.trainer.robustness.RobustnessReport;
import org.supcon.trainer.repository.PublishedVersion;
import org.supcon.trainer.train.EpochStats;
import org.supcon.trainer.train.TrainResult;

/**
 * A run's {@code summary.json}: the result, per-epoch history, the export and the settings and
 * environment that produced them. Accuracies a run did not measure are null, never NaN.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record RunSummary(String method, String encoder, int epochs, double testAccuracy, Double validationAccuracy,
        double imagesPerSecond, double dataWaitShare, double wallSeconds, double trainSeconds, double linearSeconds,
        int trainImages, int validationImages, int testImages, int resumedFromEpoch, long parameters,
        List<String> labels, int[][] confusionMatrix, List<Epoch> history, @JsonInclude(JsonInclude.Include.NON_NULL) Onnx onnx, Map<String, Object> settings,
        Map<String, String> environment, @JsonInclude(JsonInclude.Include.NON_NULL) SearchIndex searchIndex,
        @JsonInclude(JsonInclude.Include.NON_NULL) Robustness robustness) {

    public static final String FILE = "summary.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** One epoch of the first stage. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Epoch(int epoch, double loss, double learningRate, double imagesPerSecond, double dataWaitShare,
            Double validationAccuracy, double seconds) {

        static Epoch of(EpochStats h) {
            return new Epoch(h.epoch(), h.loss(), h.learningRate(), h.imagesPerSecond(), h.dataWaitShare(),
                    orNull(h.validationAccuracy()), h.seconds());
        }
    }

    /** The exported ONNX file, its parity check against DJL and the version it became. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Onnx(String file, int sizeBytes, double exportSeconds, double parityMaxEmbeddingDiff,
            double parityMaxLogitDiff, double parityArgmaxAgreement, String modelName, Long modelVersion,
            String modelDirectory) {

        static Onnx of(Publisher.Outcome x) {
            PublishedVersion v = x.published();
            return new Onnx(x.runModel().toString(), x.sizeBytes(), x.exportSeconds(), x.parity().maxEmbeddingDiff(),
                    x.parity().maxLogitDiff(), x.parity().argmaxAgreement(), v == null ? null : v.name(),
                    v == null ? null : v.version(), v == null ? null : v.directory().toString());
        }
    }

    /**
     * The version's vector index and what it cost.
     *
     * @param file the index file in the run directory
     * @param count vectors (= samples: train, validation and test)
     * @param dimension values per vector
     * @param sizeBytes the file's size
     * @param embeddingSeconds encoding every sample with the trained network
     * @param buildSeconds building the HNSW graph
     * @param mislabelSeconds the neighbours' label vote over every sample
     * @param duplicateSeconds the near-duplicate search over every sample
     * @param suspectedMislabels samples in {@code label-issues.json}
     * @param nearDuplicateGroups groups in {@code near-duplicates.json}
     * @param nearDuplicatePairs near-duplicate pairs found
     * @param crossSplitPairs of those, pairs between test and train or validation
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record SearchIndex(String file, int count, int dimension, long sizeBytes, double embeddingSeconds,
            double buildSeconds, double mislabelSeconds, double duplicateSeconds, int suspectedMislabels,
            int nearDuplicateGroups, int nearDuplicatePairs, int crossSplitPairs) {

        static SearchIndex of(DatasetIndex.Built b) {
            return new SearchIndex(b.file().toString(), b.card().count(), b.card().dimension(), b.card().sizeBytes(),
                    b.embeddingSeconds(), b.buildSeconds(), b.mislabelSeconds(), b.duplicateSeconds(),
                    b.labelIssues().suspects().size(), b.duplicates().groups().size(), b.duplicates().pairs().size(),
                    b.duplicates().crossSplit().size());
        }

        /** One line for a person: "N suspected mislabels, G near-duplicate groups (P pairs across train/test)". */
        public String qualityLine() {
            return suspectedMislabels + " suspected mislabels, " + nearDuplicateGroups + " near-duplicate groups ("
                    + crossSplitPairs + " pairs across train/test)";
        }
    }

    /**
     * The corruption evaluation of the run's model ({@code robustness.json} has every figure).
     *
     * @param file the report in the run directory
     * @param testImages images evaluated under every condition
     * @param cleanAccuracy accuracy on the clean test images (through ONNX Runtime)
     * @param meanCorruptedAccuracy accuracy averaged over every corruption and severity
     * @param accuracyPerCorruption mean over the severities, by corruption
     * @param accuracyPerSeverity mean over the corruptions, severities 1 to 5
     * @param seconds the evaluation's wall time
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Robustness(String file, int testImages, double cleanAccuracy, double meanCorruptedAccuracy,
            Map<String, Double> accuracyPerCorruption, List<Double> accuracyPerSeverity, double seconds) {

        static Robustness of(Path file, RobustnessReport r) {
            Map<String, Double> perCorruption = new LinkedHashMap<>();
            r.corruptions().forEach(c -> perCorruption.put(c.corruption(), c.meanAccuracy()));
            List<Double> perSeverity = new ArrayList<>();
            for (int s = 0; s < r.severities().size(); s++) {
                int at = s;
                perSeverity.add(r.corruptions().stream().mapToDouble(c -> c.accuracy().get(at)).average().orElse(Double.NaN));
            }
            return new Robustness(file.toString(), r.testImages(), r.cleanAccuracy(), r.meanCorruptedAccuracy(),
                    perCorruption, perSeverity, r.seconds());
        }
    }

    /**
     * The summary of {@code r}; {@code index} is null when the run built none, {@code exported}
     * null before the export.
     */
    public static RunSummary of(TrainResult r, DatasetIndex.Built index, Publisher.Outcome exported) {
        return of(r, index, null, exported);
    }

    /** The summary with the run's corruption evaluation; {@code robustness} is null when the run made none. */
    public static RunSummary of(TrainResult r, DatasetIndex.Built index, Robustness robustness, Publisher.Outcome exported) {
        return new RunSummary(r.method(), r.encoder(), r.epochs(), r.testAccuracy(), orNull(r.validationAccuracy()),
                r.imagesPerSecond(), r.dataWaitShare(), r.wallSeconds(), r.trainSeconds(), r.linearSeconds(),
                r.trainImages(), r.validationImages(), r.testImages(), r.resumedFromEpoch(), r.parameters(), r.labels(),
                r.confusionMatrix(), r.history().stream().map(Epoch::of).toList(),
                exported == null ? null : Onnx.of(exported), r.settings(), r.environment(),
                index == null ? null : SearchIndex.of(index), robustness);
    }

    public void write(Path file) throws IOException {
        JSON.writeValue(file.toFile(), this);
    }

    private static Double orNull(double v) {
        return Double.isNaN(v) ? null : v;
    }
}
