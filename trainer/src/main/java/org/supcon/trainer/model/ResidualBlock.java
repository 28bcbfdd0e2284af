package org.supcon.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.Optional;

/**
 * A ResNet residual block, {@code [N, inChannels, H, W] -> [N, width * expansion, H', W']} with
 * {@code H' = (H - 1) / stride + 1}. Dataflow, exactly:
 *
 * <pre>
 * BASIC (expansion 1):       h = relu(bn1(conv1_3x3_stride(x)))
 *                            h = bn2(conv2_3x3(h))
 * BOTTLENECK (expansion 4):  h = relu(bn1(conv1_1x1(x)))
 *                            h = relu(bn2(conv2_3x3_stride(h)))
 *                            h = bn3(conv3_1x1(h))          (width * 4 channels)
 * both:                      s = shortcutBn(shortcutConv_1x1_stride(x))  if projecting, else x
 *                            out = relu(h + s)
 * </pre>
 *
 * The shortcut projects when the stride is not 1 or the channel count changes. The stride sits on
 * the 3x3 convolution in both kinds (torchvision's "ResNet v1.5"). Convolutions have no bias and
 * 3x3 ones pad by 1. Children are named {@code conv1, bn1, conv2, bn2[, conv3, bn3][, shortcutConv,
 * shortcutBn]} (DJL prefixes a two-digit index) and are reachable through the getters.
 */
public final class ResidualBlock extends AbstractBlock {

    /** The two residual block designs of He et al. 2016. */
    public enum Kind {
        /** Two 3x3 convolutions (ResNet-18/34). */
        BASIC(1),
        /** 1x1 reduce, 3x3, 1x1 expand by 4 (ResNet-50 and deeper). */
        BOTTLENECK(4);

        private final int expansion;

        Kind(int expansion) {
            this.expansion = expansion;
        }

        /**
         * The ratio of output channels to the block width.
         *
         * @return 1 for basic, 4 for bottleneck
         */
        public int expansion() {
            return expansion;
        }
    }

    private static final byte VERSION = 1;

    private final Kind kind;
    private final int inChannels;
    private final int width;
    private final int stride;

    private final Conv2d conv1;
    private final BatchNorm bn1;
    private final Conv2d conv2;
    private final BatchNorm bn2;
    private final Conv2d conv3;
    private final BatchNorm bn3;
    private final Conv2d shortcutConv;
    private final BatchNorm shortcutBn;

    private ResidualBlock(Builder builder) {
        super(VERSION);
        this.kind = builder.kind;
        this.inChannels = builder.inChannels;
        this.width = builder.width;
        this.stride = builder.stride;
        if (kind == Kind.BASIC) {
            conv1 = addChildBlock("conv1", Layers.conv(3, width, stride));
            bn1 = addChildBlock("bn1", Layers.batchNorm());
            conv2 = addChildBlock("conv2", Layers.conv(3, width, 1));
            bn2 = addChildBlock("bn2", Layers.batchNorm());
            conv3 = null;
            bn3 = null;
        } else {
            conv1 = addChildBlock("conv1", Layers.conv(1, width, 1));
            bn1 = addChildBlock("bn1", Layers.batchNorm());
            conv2 = addChildBlock("conv2", Layers.conv(3, width, stride));
            bn2 = addChildBlock("bn2", Layers.batchNorm());
            conv3 = addChildBlock("conv3", Layers.conv(1, outChannels(), 1));
            bn3 = addChildBlock("bn3", Layers.batchNorm());
        }
        if (stride != 1 || inChannels != outChannels()) {
            shortcutConv = addChildBlock("shortcutConv", Layers.conv(1, outChannels(), stride));
            shortcutBn = addChildBlock("shortcutBn", Layers.batchNorm());
        } else {
            shortcutConv = null;
            shortcutBn = null;
        }
    }

    /**
     * A builder; kind, input channels and width are required, the stride defaults to 1.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The block design.
     *
     * @return basic or bottleneck
     */
    public Kind kind() {
        return kind;
    }

    /**
     * The spatial stride (on the 3x3 convolution and the projection).
     *
     * @return the stride, 1 or more
     */
    public int stride() {
        return stride;
    }

    /**
     * The input channel count the block was built for.
     *
     * @return input channels
     */
    public int inChannels() {
        return inChannels;
    }

    /**
     * The inner width (channels of the 3x3 convolution).
     *
     * @return the width
     */
    public int width() {
        return width;
    }

    /**
     * The output channel count, {@code width * kind().expansion()}.
     *
     * @return output channels
     */
    public int outChannels() {
        return width * kind.expansion();
    }

    /**
     * Whether the shortcut is a 1x1 convolution + batch norm rather than the identity.
     *
     * @return true when projecting
     */
    public boolean hasProjection() {
        return shortcutConv != null;
    }

    /**
     * The first convolution (3x3 with stride for basic, 1x1 for bottleneck).
     *
     * @return conv1
     */
    public Conv2d conv1() {
        return conv1;
    }

    /**
     * The batch norm after conv1.
     *
     * @return bn1
     */
    public BatchNorm bn1() {
        return bn1;
    }

    /**
     * The second convolution (3x3; strided for bottleneck).
     *
     * @return conv2
     */
    public Conv2d conv2() {
        return conv2;
    }

    /**
     * The batch norm after conv2.
     *
     * @return bn2
     */
    public BatchNorm bn2() {
        return bn2;
    }

    /**
     * The expanding 1x1 convolution of a bottleneck block.
     *
     * @return conv3, empty for a basic block
     */
    public Optional<Conv2d> conv3() {
        return Optional.ofNullable(conv3);
    }

    /**
     * The batch norm after conv3 of a bottleneck block.
     *
     * @return bn3, empty for a basic block
     */
    public Optional<BatchNorm> bn3() {
        return Optional.ofNullable(bn3);
    }

    /**
     * The projection shortcut's 1x1 convolution.
     *
     * @return the convolution, empty when the shortcut is the identity
     */
    public Optional<Conv2d> shortcutConv() {
        return Optional.ofNullable(shortcutConv);
    }

    /**
     * The projection shortcut's batch norm.
     *
     * @return the batch norm, empty when the shortcut is the identity
     */
    public Optional<BatchNorm> shortcutBn() {
        return Optional.ofNullable(shortcutBn);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        requireInput(x.getShape());
        NDList h = bnRelu(ps, conv1, bn1, new NDList(x), training);
        if (kind == Kind.BASIC) {
            h = apply(ps, bn2, apply(ps, conv2, h, training), training);
        } else {
            h = bnRelu(ps, conv2, bn2, h, training);
            h = apply(ps, bn3, apply(ps, conv3, h, training), training);
        }
        NDArray shortcut = x;
        if (shortcutConv != null) {
            NDList s = apply(ps, shortcutConv, new NDList(x), training);
            shortcut = apply(ps, shortcutBn, s, training).singletonOrThrow();
        }
        return new NDList(Activation.relu(h.singletonOrThrow().add(shortcut)));
    }

    private static NDList bnRelu(
            ParameterStore ps, Conv2d conv, BatchNorm bn, NDList x, boolean training) {
        NDArray y = apply(ps, bn, apply(ps, conv, x, training), training).singletonOrThrow();
        return new NDList(Activation.relu(y));
    }

    private static NDList apply(ParameterStore ps, Block block, NDList x, boolean training) {
        return block.forward(ps, x, training);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        requireInput(inputShapes[0]);
        Shape[] shapes = conv1.getOutputShapes(inputShapes);
        shapes = conv2.getOutputShapes(shapes);
        if (conv3 != null) {
            shapes = conv3.getOutputShapes(shapes);
        }
        return shapes;
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        requireInput(inputShapes[0]);
        Shape[] shapes = inputShapes;
        shapes = initialize(conv1, manager, dataType, shapes);
        shapes = initialize(bn1, manager, dataType, shapes);
        shapes = initialize(conv2, manager, dataType, shapes);
        shapes = initialize(bn2, manager, dataType, shapes);
        if (conv3 != null) {
            shapes = initialize(conv3, manager, dataType, shapes);
            initialize(bn3, manager, dataType, shapes);
        }
        if (shortcutConv != null) {
            Shape[] s = initialize(shortcutConv, manager, dataType, inputShapes);
            initialize(shortcutBn, manager, dataType, s);
        }
    }

    private static Shape[] initialize(
            Block block, NDManager manager, DataType dataType, Shape[] inputShapes) {
        block.initialize(manager, dataType, inputShapes);
        return block.getOutputShapes(inputShapes);
    }

    private void requireInput(Shape shape) {
        if (shape.dimension() != 4 || shape.get(1) != inChannels) {
            throw new IllegalArgumentException(
                    "ResidualBlock expects input of shape [N, "
                            + inChannels
                            + ", H, W], got "
                            + shape);
        }
    }

    @Override
    public String toString() {
        return "ResidualBlock("
                + kind
                + ", in="
                + inChannels
                + ", width="
                + width
                + ", out="
                + outChannels()
                + ", stride="
                + stride
                + (hasProjection() ? ", projection" : "")
                + ")";
    }

    /** Builds a {@link ResidualBlock}. */
    public static final class Builder {

        private Kind kind;
        private int inChannels;
        private int width;
        private int stride = 1;

        private Builder() {}

        /**
         * Sets the block design.
         *
         * @param kind basic or bottleneck
         * @return this builder
         */
        public Builder setKind(Kind kind) {
            this.kind = kind;
            return this;
        }

        /**
         * Sets the input channel count, which decides whether the shortcut projects.
         *
         * @param inChannels channels of the input
         * @return this builder
         */
        public Builder setInChannels(int inChannels) {
            this.inChannels = inChannels;
            return this;
        }

        /**
         * Sets the inner width; the block outputs {@code width * kind.expansion()} channels.
         *
         * @param width channels of the 3x3 convolution
         * @return this builder
         */
        public Builder setWidth(int width) {
            this.width = width;
            return this;
        }

        /**
         * Sets the spatial stride; defaults to 1.
         *
         * @param stride 1 or more
         * @return this builder
         */
        public Builder optStride(int stride) {
            this.stride = stride;
            return this;
        }

        /**
         * Builds the block.
         *
         * @return the residual block
         */
        public ResidualBlock build() {
            if (kind == null) {
                throw new IllegalArgumentException("ResidualBlock needs setKind(BASIC|BOTTLENECK)");
            }
            if (inChannels < 1 || width < 1 || stride < 1) {
                throw new IllegalArgumentException(
                        "ResidualBlock needs inChannels, width and stride >= 1, got inChannels "
                                + inChannels
                                + ", width "
                                + width
                                + ", stride "
                                + stride);
            }
            return new ResidualBlock(this);
        }
    }
}
