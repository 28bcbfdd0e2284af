package org.supcon.trainer.model;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Element-wise {@code max(x, 0)}; any shape in, the same shape out; no parameters.
 *
 * <p>A named block rather than {@code Activation.reluBlock()} so that an exporter can recognise it
 * (see the package documentation).
 */
public final class Relu extends AbstractBlock {

    private static final byte VERSION = 1;

    /** Creates a ReLU block. */
    public Relu() {
        super(VERSION);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore,
            NDList inputs,
            boolean training,
            PairList<String, Object> params) {
        return new NDList(Activation.relu(inputs.singletonOrThrow()));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return inputShapes;
    }

    @Override
    public String toString() {
        return "Relu()";
    }
}
