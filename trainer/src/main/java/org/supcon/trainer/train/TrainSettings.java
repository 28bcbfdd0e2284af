package org.supcon.trainer.train;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.supcon.trainer.loss.Method;
import org.supcon.trainer.model.EncoderType;
import org.supcon.trainer.model.HeadType;

/**
 * Every hyperparameter of one training run, built once and never mutated (the reference code's
 * option bag, made immutable). Names follow the reference: {@code temperature},
 * {@code baseTemperature}, {@code warmupEpochs}.
 *
 * @param dataset {@code fashion-mnist} or a folder {@code root/<label>/*.png}
 * @param method loss: supcon (L_out), supcon-in (L_in), simclr or ce (the baseline)
 * @param encoder the encoder architecture
 * @param head projection head for contrastive methods
 * @param projectionDim output size of the projection head
 * @param epochs passes over the training split in the first stage
 * @param batchSize original images per step (each contributes {@code views} samples)
 * @param views augmented views per image (contrastive methods need at least 2 for SimCLR)
 * @param learningRate peak learning rate after warm-up
 * @param momentum SGD momentum
 * @param weightDecay L2 weight decay (added to the gradient, as torch.optim.SGD)
 * @param warmupEpochs linear warm-up length; may be fractional
 * @param temperature contrastive temperature t
 * @param baseTemperature the loss is scaled by t / baseTemperature
 * @param seed seeds weights, shuffling and augmentation
 * @param limit train on the first N training images (0 = all)
 * @param validationFraction held out of the training images, stratified
 * @param minCropScale smallest crop area of RandomResizedCrop
 * @param linearEpochs epochs of the linear classifier on frozen features
 * @param linearLearningRate peak learning rate of the linear classifier
 * @param evalEvery per-epoch validation every N epochs (0 = never, only the final test)
 * @param loaderWorkers augmentation threads running ahead of training
 * @param output run directory (summary, weights, plot, checkpoints)
 */
public record TrainSettings(
        String dataset,
        Method method,
        EncoderType encoder,
        HeadType head,
        int projectionDim,
        int epochs,
        int batchSize,
        int views,
        double learningRate,
        double momentum,
        double weightDecay,
        double warmupEpochs,
        double temperature,
        double baseTemperature,
        long seed,
        int limit,
        double validationFraction,
        double minCropScale,
        int linearEpochs,
        double linearLearningRate,
        int evalEvery,
        int loaderWorkers,
        Path output) {

    public TrainSettings {
        require(dataset != null && !dataset.isBlank(), "dataset", "must be given");
        require(epochs >= 1, "epochs", "must be at least 1, got " + epochs);
        require(batchSize >= 2, "batch-size", "must be at least 2, got " + batchSize);
        require(views >= 1 && views <= 8, "views", "must be between 1 and 8, got " + views);
        require(method != Method.SIMCLR || views >= 2, "views", "simclr needs at least 2 views");
        require(learningRate > 0 && Double.isFinite(learningRate), "learning-rate", "must be positive, got " + learningRate);
        require(momentum >= 0 && momentum < 1, "momentum", "must be in [0, 1), got " + momentum);
        require(weightDecay >= 0, "weight-decay", "must not be negative, got " + weightDecay);
        require(warmupEpochs >= 0 && warmupEpochs < epochs, "warmup-epochs", "must be in [0, epochs), got " + warmupEpochs);
        require(temperature > 0, "temperature", "must be positive, got " + temperature);
        require(baseTemperature > 0, "base-temperature", "must be positive, got " + baseTemperature);
        require(projectionDim >= 1, "projection-dim", "must be positive, got " + projectionDim);
        require(limit >= 0, "limit", "must not be negative, got " + limit);
        require(validationFraction >= 0 && validationFraction < 0.9, "validation-fraction", "must be in [0, 0.9), got " + validationFraction);
        require(minCropScale > 0 && minCropScale <= 1, "min-crop-scale", "must be in (0, 1], got " + minCropScale);
        require(linearEpochs >= 1, "linear-epochs", "must be at least 1, got " + linearEpochs);
        require(linearLearningRate > 0, "linear-learning-rate", "must be positive, got " + linearLearningRate);
        require(evalEvery >= 0, "eval-every", "must not be negative, got " + evalEvery);
        require(loaderWorkers >= 1 && loaderWorkers <= 16, "loader-workers", "must be between 1 and 16, got " + loaderWorkers);
        require(output != null, "output", "must be given");
    }

    private static void require(boolean ok, String name, String problem) {
        if (!ok) {
            throw new IllegalArgumentException("--" + name + " " + problem);
        }
    }

    /** The defaults the CPU demo uses; every one can be overridden on the command line. */
    public static TrainSettings defaults(Path output) {
        return new TrainSettings(
                "fashion-mnist", Method.SUPCON, EncoderType.SMALL_RESNET, HeadType.MLP, 128,
                10, 256, 2, 0.05, 0.9, 1e-4, 1, 0.1, 0.07, 42L, 0, 0.1, 0.2, 30, 0.1, 1, 1,
                output);
    }

    /** True when the run uses a contrastive loss followed by a linear probe. */
    public boolean contrastive() {
        return method.isContrastive();
    }

    /**
     * The settings that decide the weights, by name; a checkpoint is only resumed when these
     * match, and they are written into the summary and the model provenance.
     */
    public Map<String, Object> asMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("dataset", dataset);
        m.put("method", method.cliName());
        m.put("encoder", encoder.cliName());
        m.put("head", head.name().toLowerCase());
        m.put("projectionDim", projectionDim);
        m.put("epochs", epochs);
        m.put("batchSize", batchSize);
        m.put("views", views);
        m.put("learningRate", learningRate);
        m.put("momentum", momentum);
        m.put("weightDecay", weightDecay);
        m.put("warmupEpochs", warmupEpochs);
        m.put("temperature", temperature);
        m.put("baseTemperature", baseTemperature);
        m.put("seed", seed);
        m.put("limit", limit);
        m.put("validationFraction", validationFraction);
        m.put("minCropScale", minCropScale);
        m.put("linearEpochs", linearEpochs);
        m.put("linearLearningRate", linearLearningRate);
        return m;
    }
}
