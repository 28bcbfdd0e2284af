package org.supcon.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;

/** Shared plumbing for the model tests. */
final class TestBlocks {

    private TestBlocks() {}

    /** Initialises {@code block} for {@code x}'s shape and runs one forward pass. */
    static NDArray initAndForward(NDManager manager, Block block, NDArray x, boolean training) {
        block.initialize(manager, DataType.FLOAT32, x.getShape());
        return forward(manager, block, x, training);
    }

    static NDArray forward(NDManager manager, Block block, NDArray x, boolean training) {
        return block.forward(new ParameterStore(manager, false), new NDList(x), training)
                .singletonOrThrow();
    }

    /** Learnable scalars, i.e. without batch-norm running statistics (torch's buffers). */
    static long trainableParameterCount(Block block) {
        return block.getParameters().values().stream()
                .filter(p -> p.getType() != Parameter.Type.RUNNING_MEAN)
                .filter(p -> p.getType() != Parameter.Type.RUNNING_VAR)
                .mapToLong(p -> p.getShape().size())
                .sum();
    }

    /** Raw-pixel-like input in 0..255. */
    static NDArray pixels(NDManager manager, long... shape) {
        return manager.randomUniform(0f, 255f, new Shape(shape));
    }
}
