package org.supcon.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.Arrays;

/**
 * Per-channel input normalisation from raw pixels: {@code [N, C, H, W] -> [N, C, H, W]}, {@code
 * y[:, c] = (x[:, c] / 255 - mean[c]) / std[c]}, where x holds pixel values 0..255 as floats.
 *
 * <p>Mean and std are constants fixed at build time, not parameters: nothing trains them, and the
 * exporter reads them through {@link #mean()}, {@link #std()} and {@link #pixelScale()}.
 */
public final class Normalize extends AbstractBlock {

    /** The raw pixel range the input is divided by first. */
    public static final float PIXEL_SCALE = 255f;

    /** Fashion-MNIST training-set mean of pixel/255 (1 channel). */
    public static final float[] FASHION_MNIST_MEAN = {0.2860f};

    /** Fashion-MNIST training-set std of pixel/255 (1 channel). */
    public static final float[] FASHION_MNIST_STD = {0.3530f};

    /** CIFAR-10 per-channel mean of pixel/255 (RGB). */
    public static final float[] CIFAR_MEAN = {0.4914f, 0.4822f, 0.4465f};

    /** CIFAR-10 per-channel std of pixel/255 (RGB). */
    public static final float[] CIFAR_STD = {0.2470f, 0.2435f, 0.2616f};

    private static final byte VERSION = 1;

    private final float[] mean;
    private final float[] std;

    private Normalize(Builder builder) {
        super(VERSION);
        this.mean = builder.mean.clone();
        this.std = builder.std.clone();
    }

    /**
     * The default normalisation for a channel count: Fashion-MNIST's for 1 channel, CIFAR-10's for
     * 3.
     *
     * @param channels 1 or 3
     * @return the normalisation block
     */
    public static Normalize forChannels(int channels) {
        return switch (channels) {
            case 1 -> builder().setMean(FASHION_MNIST_MEAN).setStd(FASHION_MNIST_STD).build();
            case 3 -> builder().setMean(CIFAR_MEAN).setStd(CIFAR_STD).build();
            default ->
                    throw new IllegalArgumentException(
                            "no default normalisation for "
                                    + channels
                                    + " channels (known: 1, 3); use Normalize.builder()");
        };
    }

    /**
     * A builder with required per-channel mean and std.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The per-channel mean, in units of pixel/255.
     *
     * @return a copy of the means, one per channel
     */
    public float[] mean() {
        return mean.clone();
    }

    /**
     * The per-channel standard deviation, in units of pixel/255.
     *
     * @return a copy of the stds, one per channel
     */
    public float[] std() {
        return std.clone();
    }

    /**
     * The divisor that maps raw pixels to 0..1.
     *
     * @return {@link #PIXEL_SCALE}
     */
    public float pixelScale() {
        return PIXEL_SCALE;
    }

    /**
     * The number of channels this normalisation expects.
     *
     * @return the channel count
     */
    public int channels() {
        return mean.length;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore,
            NDList inputs,
            boolean training,
            PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        requireChannels(x.getShape());
        NDManager manager = x.getManager();
        Shape perChannel = new Shape(1, mean.length, 1, 1);
        NDArray m = manager.create(mean, perChannel);
        NDArray s = manager.create(std, perChannel);
        return new NDList(x.div(PIXEL_SCALE).sub(m).div(s));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        requireChannels(inputShapes[0]);
        return inputShapes;
    }

    private void requireChannels(Shape shape) {
        if (shape.dimension() != 4 || shape.get(1) != mean.length) {
            throw new IllegalArgumentException(
                    "Normalize expects input of shape [N, "
                            + mean.length
                            + ", H, W] (raw pixels), got "
                            + shape);
        }
    }

    @Override
    public String toString() {
        return "Normalize(mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + ")";
    }

    /** Builds a {@link Normalize}; mean and std are required and must have equal length. */
    public static final class Builder {

        private float[] mean;
        private float[] std;

        private Builder() {}

        /**
         * Sets the per-channel mean of pixel/255.
         *
         * @param mean one value per channel
         * @return this builder
         */
        public Builder setMean(float... mean) {
            this.mean = mean.clone();
            return this;
        }

        /**
         * Sets the per-channel standard deviation of pixel/255.
         *
         * @param std one positive value per channel
         * @return this builder
         */
        public Builder setStd(float... std) {
            this.std = std.clone();
            return this;
        }

        /**
         * Builds the block.
         *
         * @return the normalisation block
         */
        public Normalize build() {
            if (mean == null || std == null) {
                throw new IllegalArgumentException("Normalize needs both setMean and setStd");
            }
            if (mean.length == 0 || mean.length != std.length) {
                throw new IllegalArgumentException(
                        "Normalize needs one mean and one std per channel, got "
                                + mean.length
                                + " means and "
                                + std.length
                                + " stds");
            }
            for (float s : std) {
                if (!(s > 0)) {
                    throw new IllegalArgumentException(
                            "Normalize std must be > 0, got " + Arrays.toString(std));
                }
            }
            return new Normalize(this);
        }
    }
}
