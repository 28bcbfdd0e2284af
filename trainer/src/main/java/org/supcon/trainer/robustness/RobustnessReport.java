package org.supcon.trainer.robustness;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import org.supcon.trainer.io.JsonFiles;

/**
 * {@code robustness.json}: a model's accuracy on a test set, clean and under every corruption at
 * every severity, and, against a baseline model on the very same corrupted images, the corruption
 * errors of Hendrycks and Dietterich (2019) normalised by the baseline instead of AlexNet:
 * {@code CE_c = sum_s err(c, s) / sum_s err_baseline(c, s)}, {@code mCE} their mean over
 * corruptions, and the relative versions that subtract each model's clean error first. Values a
 * run did not measure (no baseline) or that are undefined (a baseline without errors) are null.
 *
 * @param model the evaluated model
 * @param baseline the baseline model, or null
 * @param dataset where the images came from, one line
 * @param testImages images evaluated under every condition
 * @param seed the corruptions' seed
 * @param severities the severities evaluated, ascending; every accuracy list follows them
 * @param cleanAccuracy the model's accuracy on the clean images
 * @param baselineCleanAccuracy the baseline's, or null
 * @param corruptions one entry per corruption, in the order evaluated
 * @param meanCorruptedAccuracy the model's accuracy averaged over every corruption and severity
 * @param mCE mean of the defined {@code ce} over corruptions, or null
 * @param relativeMCE mean of the defined {@code relativeCe}, or null
 * @param seconds wall time of the evaluation
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record RobustnessReport(ModelRef model, ModelRef baseline, String dataset, int testImages, long seed,
        List<Integer> severities, double cleanAccuracy, Double baselineCleanAccuracy, List<CorruptionResult> corruptions,
        double meanCorruptedAccuracy, Double mCE, Double relativeMCE, double seconds) {

    /** The file name in an output or run directory. */
    public static final String FILE = "robustness.json";

    public RobustnessReport {
        Objects.requireNonNull(model, "model");
        severities = List.copyOf(severities);
        corruptions = List.copyOf(corruptions);
    }

    /**
     * Which model was evaluated.
     *
     * @param name the model name (metadata or model card)
     * @param version its version ({@code unpublished} for a run's own export)
     * @param path the model file or version directory given
     */
    public record ModelRef(String name, String version, String path) {}

    /**
     * One corruption at every severity.
     *
     * @param corruption its command-line name
     * @param parameter what the per-severity parameter is
     * @param parameters the parameter at each severity evaluated
     * @param accuracy the model's accuracy at each severity
     * @param baselineAccuracy the baseline's at each severity, or null
     * @param ce {@code sum_s err / sum_s err_baseline}, or null
     * @param relativeCe {@code sum_s (err - clean err) / sum_s (err_baseline - baseline clean err)}, or null
     * @param seconds corrupting and classifying the images at every severity
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record CorruptionResult(String corruption, String parameter, List<Double> parameters, List<Double> accuracy,
            List<Double> baselineAccuracy, Double ce, Double relativeCe, double seconds) {

        public CorruptionResult {
            parameters = List.copyOf(parameters);
            accuracy = List.copyOf(accuracy);
            baselineAccuracy = baselineAccuracy == null ? null : List.copyOf(baselineAccuracy);
        }

        /** The model's mean accuracy over the severities. */
        @JsonIgnore
        public double meanAccuracy() {
            return accuracy.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        }
    }

    /** The model's error rate (1 - accuracy) under corruption {@code c} (an index into corruptions) at severity index {@code s}. */
    public double error(int c, int s) {
        return 1 - corruptions.get(c).accuracy().get(s);
    }

    public void write(Path file) throws IOException {
        JsonFiles.write(file, this);
    }

    public static RobustnessReport read(Path file) throws IOException {
        return JsonFiles.read(file, RobustnessReport.class);
    }
}
