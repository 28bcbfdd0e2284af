package org.supcon.trainer.model;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.training.initializer.XavierInitializer.FactorType;
import ai.djl.training.initializer.XavierInitializer.RandomType;

/**
 * Factories for the stock DJL layers the networks are made of, so that every convolution and batch
 * norm in the package is configured (and initialised) the same way.
 */
public final class Layers {

    /** Batch-norm epsilon, as torch's default; DJL's {@code BatchNorm} does not expose it. */
    public static final float BN_EPSILON = 1e-5f;

    /**
     * Batch-norm momentum in DJL's convention ({@code running = momentum * running + (1 -
     * momentum) * batch}); 0.9 equals torch's default {@code momentum=0.1}.
     */
    public static final float BN_MOMENTUM = 0.9f;

    /**
     * Kaiming-normal, fan-out, ReLU gain: std = sqrt(2 / (outChannels * kh * kw)), as torchvision
     * initialises ResNet convolutions. DJL's default weight initialiser uses fan-in instead.
     */
    public static final Initializer CONV_INITIALIZER =
            new XavierInitializer(RandomType.GAUSSIAN, FactorType.OUT, 2);

    private Layers() {}

    /**
     * A bias-free square convolution with "same"-style padding {@code kernel / 2}.
     *
     * @param kernel the kernel size (1 or 3 here)
     * @param filters the number of output channels
     * @param stride the stride in both spatial dimensions
     * @return the convolution, input {@code [N, Cin, H, W]}, output {@code [N, filters, H', W']}
     */
    public static Conv2d conv(int kernel, int filters, int stride) {
        if (kernel < 1 || filters < 1 || stride < 1) {
            throw new IllegalArgumentException(
                    "conv needs kernel, filters and stride >= 1, got kernel "
                            + kernel
                            + ", filters "
                            + filters
                            + ", stride "
                            + stride);
        }
        Conv2d conv =
                Conv2d.builder()
                        .setKernelShape(new Shape(kernel, kernel))
                        .optStride(new Shape(stride, stride))
                        .optPadding(new Shape(kernel / 2, kernel / 2))
                        .setFilters(filters)
                        .optBias(false)
                        .build();
        conv.setInitializer(CONV_INITIALIZER, Parameter.Type.WEIGHT);
        return conv;
    }

    /**
     * A batch norm over the channel axis (1) with gamma 1 and beta 0 at initialisation.
     *
     * @return the batch norm, shape-preserving
     */
    public static BatchNorm batchNorm() {
        return BatchNorm.builder()
                .optAxis(1)
                .optEpsilon(BN_EPSILON)
                .optMomentum(BN_MOMENTUM)
                .build();
    }
}
