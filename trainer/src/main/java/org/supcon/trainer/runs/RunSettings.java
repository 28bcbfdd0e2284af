package org.supcon.trainer.runs;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.supcon.trainer.loss.Method;
import org.supcon.trainer.model.EncoderType;
import org.supcon.trainer.model.HeadType;
import org.supcon.trainer.train.TrainSettings;

/**
 * The settings of a training run started over REST: the {@code train} flags in camelCase. Built
 * once from the POST body over the configured defaults ({@code trainer.runs.*}); every bad value
 * is an {@link InvalidSettingsException} naming its field.
 *
 * @param method supcon, supcon-in, simclr or ce
 * @param encoder small-resnet, resnet18 or resnet50
 * @param epochs first-stage epochs, 1..10000
 * @param batchSize images per step, 2..65536
 * @param learningRate peak SGD learning rate, positive
 * @param temperature contrastive temperature, positive
 * @param seed seeds weights, shuffling, augmentation and the held-out split's tie breaks
 * @param minCropScale smallest RandomResizedCrop area, (0, 1]
 * @param linearEpochs linear classifier epochs, 1..10000
 * @param linearLearningRate linear classifier learning rate, positive
 * @param validationFraction share of the training part held out for per-epoch validation, [0, 0.9)
 * @param testFraction share held out for the final evaluation and the gate when no record has split "test", (0, 0.9)
 * @param loaderWorkers augmentation threads, 1..16
 */
public record RunSettings(
        String method,
        String encoder,
        int epochs,
        int batchSize,
        double learningRate,
        double temperature,
        long seed,
        double minCropScale,
        int linearEpochs,
        double linearLearningRate,
        double validationFraction,
        double testFraction,
        int loaderWorkers) {

    /** The JSON field names accepted in a POST body, in documentation order. */
    public static final List<String> FIELDS = List.of("method", "encoder", "epochs", "batchSize", "learningRate",
            "temperature", "seed", "minCropScale", "linearEpochs", "linearLearningRate", "validationFraction",
            "testFraction", "loaderWorkers");

    /** The {@code dataset} recorded in a run's settings: the service trains on its dataset cache. */
    public static final String DATASET = "dataset-cache";

    public RunSettings {
        try {
            Method.fromName(method);
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingsException("method", "must be one of supcon, supcon-in, simclr, ce; got \"" + method + "\"");
        }
        try {
            EncoderType.fromName(encoder);
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingsException("encoder", "must be one of small-resnet, resnet18, resnet50; got \"" + encoder + "\"");
        }
        range("epochs", epochs, 1, 10_000);
        range("batchSize", batchSize, 2, 65_536);
        positive("learningRate", learningRate);
        positive("temperature", temperature);
        if (!(minCropScale > 0 && minCropScale <= 1)) {
            throw new InvalidSettingsException("minCropScale", "must be in (0, 1], got " + minCropScale);
        }
        range("linearEpochs", linearEpochs, 1, 10_000);
        positive("linearLearningRate", linearLearningRate);
        if (!(validationFraction >= 0 && validationFraction < 0.9)) {
            throw new InvalidSettingsException("validationFraction", "must be in [0, 0.9), got " + validationFraction);
        }
        if (!(testFraction > 0 && testFraction < 0.9)) {
            throw new InvalidSettingsException("testFraction", "must be in (0, 0.9), got " + testFraction);
        }
        range("loaderWorkers", loaderWorkers, 1, 16);
    }

    private static void range(String field, long value, long min, long max) {
        if (value < min || value > max) {
            throw new InvalidSettingsException(field, "must be between " + min + " and " + max + ", got " + value);
        }
    }

    private static void positive(String field, double value) {
        if (!(value > 0) || !Double.isFinite(value)) {
            throw new InvalidSettingsException(field, "must be a positive number, got " + value);
        }
    }

    /**
     * The defaults overridden field by field by {@code body} (a JSON object; null or an empty
     * body means the defaults).
     */
    public static RunSettings fromJson(JsonNode body, RunSettings defaults) {
        if (body == null || body.isNull() || body.isMissingNode()) {
            return defaults;
        }
        if (!body.isObject()) {
            throw new InvalidSettingsException(null, "the body must be a JSON object of run settings " + FIELDS);
        }
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!FIELDS.contains(name)) {
                throw new InvalidSettingsException(name, "unknown field; the settings are " + FIELDS);
            }
        }
        RunSettings d = defaults;
        return new RunSettings(
                text(body, "method", d.method()),
                text(body, "encoder", d.encoder()),
                integer(body, "epochs", d.epochs()),
                integer(body, "batchSize", d.batchSize()),
                number(body, "learningRate", d.learningRate()),
                number(body, "temperature", d.temperature()),
                longValue(body, "seed", d.seed()),
                number(body, "minCropScale", d.minCropScale()),
                integer(body, "linearEpochs", d.linearEpochs()),
                number(body, "linearLearningRate", d.linearLearningRate()),
                number(body, "validationFraction", d.validationFraction()),
                number(body, "testFraction", d.testFraction()),
                integer(body, "loaderWorkers", d.loaderWorkers()));
    }

    private static String text(JsonNode body, String field, String fallback) {
        JsonNode v = body.get(field);
        if (v == null) {
            return fallback;
        }
        if (!v.isTextual()) {
            throw new InvalidSettingsException(field, "must be a string, got " + v);
        }
        return v.asText();
    }

    private static int integer(JsonNode body, String field, int fallback) {
        long v = longValue(body, field, fallback);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new InvalidSettingsException(field, "is out of range: " + v);
        }
        return (int) v;
    }

    private static long longValue(JsonNode body, String field, long fallback) {
        JsonNode v = body.get(field);
        if (v == null) {
            return fallback;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw new InvalidSettingsException(field, "must be an integer, got " + v);
        }
        return v.asLong();
    }

    private static double number(JsonNode body, String field, double fallback) {
        JsonNode v = body.get(field);
        if (v == null) {
            return fallback;
        }
        if (!v.isNumber()) {
            throw new InvalidSettingsException(field, "must be a number, got " + v);
        }
        return v.asDouble();
    }

    /** The training settings of this run, writing into {@code output}. */
    public TrainSettings toTrainSettings(Path output) {
        // Same derived defaults as the train command: a warm-up of at most one epoch, 10% of the run.
        return new TrainSettings(DATASET, Method.fromName(method), EncoderType.fromName(encoder), HeadType.MLP, 128,
                epochs, batchSize, 2, learningRate, 0.9, 1e-4, Math.min(1.0, 0.1 * epochs), temperature, 0.07,
                seed, 0, validationFraction, minCropScale, linearEpochs, linearLearningRate, 1, loaderWorkers, output);
    }

    /** By field name, for the run's JSON and provenance. */
    public Map<String, Object> asMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("method", method);
        m.put("encoder", encoder);
        m.put("epochs", epochs);
        m.put("batchSize", batchSize);
        m.put("learningRate", learningRate);
        m.put("temperature", temperature);
        m.put("seed", seed);
        m.put("minCropScale", minCropScale);
        m.put("linearEpochs", linearEpochs);
        m.put("linearLearningRate", linearLearningRate);
        m.put("validationFraction", validationFraction);
        m.put("testFraction", testFraction);
        m.put("loaderWorkers", loaderWorkers);
        return m;
    }
}
