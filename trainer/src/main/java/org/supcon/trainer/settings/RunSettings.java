package org.supcon.trainer.settings;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.LinkedHashMap;
import java.util.Map;
import org.supcon.trainer.loss.Method;
import org.supcon.trainer.model.EncoderType;
import org.supcon.trainer.model.HeadType;

/**
 * Every setting of one training run, built once and never mutated (the reference code's option
 * bag, made immutable). The {@code train} command's options, the body of
 * {@code POST /training-runs} and the {@code trainer.runs.*} configuration all produce this
 * record through {@link SettingsBinding}; the defaults live in the configuration alone
 * ({@code TrainerConfig.Runs}), and every value is checked here, once.
 *
 * <p>A new setting is one component below with its {@link Doc}, and its default in
 * {@code TrainerConfig.Runs}; the command-line option ({@code --kebab-case}), the JSON field
 * (camelCase), the help text and the provenance follow from the component. Names follow the
 * reference implementation: {@code temperature}, {@code baseTemperature}, {@code warmupEpochs}.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record RunSettings(
        @Doc("loss: supcon (SupCon L_out), supcon-in (L_in), simclr, or ce (the cross-entropy baseline)") Method method,
        @Doc("encoder architecture: small-resnet, resnet18 or resnet50") EncoderType encoder,
        @Doc("projection head of the contrastive methods: mlp or linear") HeadType head,
        @Doc("output size of the projection head, 1..65536") int projectionDim,
        @Doc("first-stage epochs, 1..10000") int epochs,
        @Doc("original images per step, each giving `views` samples, 2..65536") int batchSize,
        @Doc("augmented views per image, 1..8 (simclr needs 2)") int views,
        @Doc("peak SGD learning rate after the warm-up (cosine decay), positive") double learningRate,
        @Doc("SGD momentum, [0, 1)") double momentum,
        @Doc("L2 weight decay added to the gradient (as torch.optim.SGD), >= 0") double weightDecay,
        @Doc("linear warm-up epochs before the cosine decay, [0, epochs); may be fractional; unset = min(1, epochs / 10)")
                Double warmupEpochs,
        @Doc("contrastive temperature, positive") double temperature,
        @Doc("the contrastive loss is scaled by temperature / baseTemperature, positive") double baseTemperature,
        @Doc("seeds weights, shuffling, augmentation and the held-out split's tie breaks") long seed,
        @Doc("train on the first N training images, 0 = all") int limit,
        @Doc("evaluate on the first N test images only (benchmarks), 0 = all") int testLimit,
        @Doc("share of the training part held out for per-epoch validation, [0, 0.9)") double validationFraction,
        @Doc("share of the dataset cache held out (stratified, by id) for the final evaluation and the gate when no record"
                + " has split \"test\", (0, 0.9); the train command uses the dataset's own test split") double testFraction,
        @Doc("smallest RandomResizedCrop area, (0, 1]") double minCropScale,
        @Doc("epochs of the linear classifier on the frozen encoder, 1..10000") int linearEpochs,
        @Doc("peak learning rate of the linear classifier, positive") double linearLearningRate,
        @Doc("validation every N epochs, 0 = never (only the final test), 0..10000") int evalEvery,
        @Doc("augmentation threads running ahead of training, 1..16") int loaderWorkers,
        @Doc("share of the training labels flipped to another label (symmetric, seeded; validation and test stay clean);"
                + " the flips are recorded in label-noise.json, [0, 1)") double labelNoise,
        @Doc("MoCo-style queue: the supcon loss also contrasts each anchor with this many recent projections of a"
                + " momentum encoder (positives and negatives by label); 0 = off (supcon and supcon-in only), 0..1048576")
                int queueSize,
        @Doc("the momentum encoder follows the trained one as key = m * key + (1 - m) * trained after every step,"
                + " [0, 1); used only with a queue") double queueMomentum,
        @Doc("embed every sample with the published model and publish a vector index, near-duplicates and suspected"
                + " mislabels with the version") boolean searchIndex,
        @Doc("neighbours that vote on each sample's label (itself excluded), 1..100") int labelVoteNeighbours,
        @Doc("a sample is a suspected mislabel when its label gets this share of the neighbour votes fewer than the"
                + " winning label, (0, 1]") double mislabelMargin,
        @Doc("cosine similarity at or above which two samples are near-duplicates, (0, 1]; the encoder's features are"
                + " non-negative, so cosines run high (on Fashion-MNIST, pairs at 0.999 look identical)") double duplicateThreshold,
        @Doc("evaluate the exported model on the test images under 13 image corruptions at severities 1-5 (as the"
                + " evaluate command); robustness.json and robustness.png go into the run, the report and the version") boolean robustness) {

    public RunSettings {
        notNull("method", method);
        notNull("encoder", encoder);
        notNull("head", head);
        range("projectionDim", projectionDim, 1, 65_536);
        range("epochs", epochs, 1, 10_000);
        range("batchSize", batchSize, 2, 65_536);
        range("views", views, 1, 8);
        if (method == Method.SIMCLR && views < 2) {
            throw new InvalidSettingsException("views", "simclr needs at least 2 views, got " + views);
        }
        positive("learningRate", learningRate);
        if (!(momentum >= 0 && momentum < 1)) {
            throw new InvalidSettingsException("momentum", "must be in [0, 1), got " + momentum);
        }
        if (!(weightDecay >= 0 && Double.isFinite(weightDecay))) {
            throw new InvalidSettingsException("weightDecay", "must not be negative, got " + weightDecay);
        }
        if (warmupEpochs == null) {
            // a warm-up of at most one epoch, 10 % of a short run
            warmupEpochs = Math.min(1.0, 0.1 * epochs);
        }
        if (!(warmupEpochs >= 0 && warmupEpochs < epochs)) {
            throw new InvalidSettingsException("warmupEpochs", "must be in [0, epochs), got " + warmupEpochs);
        }
        positive("temperature", temperature);
        positive("baseTemperature", baseTemperature);
        range("limit", limit, 0, Integer.MAX_VALUE);
        range("testLimit", testLimit, 0, Integer.MAX_VALUE);
        if (!(validationFraction >= 0 && validationFraction < 0.9)) {
            throw new InvalidSettingsException("validationFraction", "must be in [0, 0.9), got " + validationFraction);
        }
        if (!(testFraction > 0 && testFraction < 0.9)) {
            throw new InvalidSettingsException("testFraction", "must be in (0, 0.9), got " + testFraction);
        }
        if (!(minCropScale > 0 && minCropScale <= 1)) {
            throw new InvalidSettingsException("minCropScale", "must be in (0, 1], got " + minCropScale);
        }
        range("linearEpochs", linearEpochs, 1, 10_000);
        positive("linearLearningRate", linearLearningRate);
        range("evalEvery", evalEvery, 0, 10_000);
        range("loaderWorkers", loaderWorkers, 1, 16);
        if (!(labelNoise >= 0 && labelNoise < 1)) {
            throw new InvalidSettingsException("labelNoise", "must be in [0, 1), got " + labelNoise);
        }
        range("queueSize", queueSize, 0, 1 << 20);
        if (queueSize > 0 && method != Method.SUPCON && method != Method.SUPCON_IN) {
            throw new InvalidSettingsException("queueSize", "a queue needs method supcon or supcon-in (it holds labelled"
                    + " projections), got method " + method + " with queueSize " + queueSize);
        }
        if (!(queueMomentum >= 0 && queueMomentum < 1)) {
            throw new InvalidSettingsException("queueMomentum", "must be in [0, 1), got " + queueMomentum);
        }
        range("labelVoteNeighbours", labelVoteNeighbours, 1, 100);
        if (!(mislabelMargin > 0 && mislabelMargin <= 1)) {
            throw new InvalidSettingsException("mislabelMargin", "must be in (0, 1], got " + mislabelMargin);
        }
        if (!(duplicateThreshold > 0 && duplicateThreshold <= 1)) {
            throw new InvalidSettingsException("duplicateThreshold", "must be in (0, 1], got " + duplicateThreshold);
        }
    }

    private static void notNull(String field, Object value) {
        if (value == null) {
            throw new InvalidSettingsException(field, "must be given");
        }
    }

    private static void range(String field, long value, long min, long max) {
        if (value < min || value > max) {
            throw new InvalidSettingsException(field, max == Integer.MAX_VALUE ? "must not be negative, got " + value
                    : "must be between " + min + " and " + max + ", got " + value);
        }
    }

    private static void positive(String field, double value) {
        if (!(value > 0) || !Double.isFinite(value)) {
            throw new InvalidSettingsException(field, "must be a positive number, got " + value);
        }
    }

    /** True when the run uses a contrastive loss followed by a linear probe. */
    public boolean contrastive() {
        return method.isContrastive();
    }

    /** By JSON name in declaration order: the run's JSON, the summary and the model's provenance. */
    public Map<String, Object> asMap() {
        return SettingsBinding.toMap(this);
    }

    /**
     * The settings that decide the weights, plus the dataset they were trained on: a checkpoint
     * is resumed only when these match. Thread counts, the evaluation cadence, the test
     * subset and the publish-time analysis do not change the weights.
     */
    public Map<String, Object> weightsIdentity(String dataset) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("dataset", dataset);
        m.putAll(asMap());
        m.remove("loaderWorkers");
        m.remove("evalEvery");
        m.remove("testLimit");
        // what is done with the trained model at publish does not change the weights
        m.remove("searchIndex");
        m.remove("labelVoteNeighbours");
        m.remove("mislabelMargin");
        m.remove("duplicateThreshold");
        m.remove("robustness");
        if (queueSize == 0) {
            // without a queue its momentum is unused; a checkpoint from before the queue existed resumes
            m.remove("queueSize");
            m.remove("queueMomentum");
        }
        return m;
    }
}
