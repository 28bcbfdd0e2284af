package org.supcon.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Global average pooling that also flattens: {@code [N, C, H, W] -> [N, C]}, the mean over the two
 * spatial axes. No parameters.
 */
public final class GlobalAvgPool extends AbstractBlock {

    private static final byte VERSION = 1;
    private static final int[] SPATIAL_AXIS = {2};

    /** Creates a global average pooling block. */
    public GlobalAvgPool() {
        super(VERSION);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore,
            NDList inputs,
            boolean training,
            PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        Shape shape = x.getShape();
        requireNchw(shape);
        // The PyTorch engine's mean reduces one axis at a time, so flatten H and W first.
        return new NDList(x.reshape(shape.get(0), shape.get(1), -1).mean(SPATIAL_AXIS));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        requireNchw(in);
        return new Shape[] {new Shape(in.get(0), in.get(1))};
    }

    private static void requireNchw(Shape shape) {
        if (shape.dimension() != 4) {
            throw new IllegalArgumentException(
                    "GlobalAvgPool expects input of shape [N, C, H, W], got " + shape);
        }
    }

    @Override
    public String toString() {
        return "GlobalAvgPool()";
    }
}
