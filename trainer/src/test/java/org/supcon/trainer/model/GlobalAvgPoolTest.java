package org.supcon.trainer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class GlobalAvgPoolTest {

    @Test
    void averagesEachChannelOverSpaceAndFlattens() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = manager.arange(16f).reshape(2, 2, 2, 2);
            GlobalAvgPool pool = new GlobalAvgPool();
            NDArray y = TestBlocks.initAndForward(manager, pool, x, false);
            assertEquals(new Shape(2, 2), y.getShape());
            assertEquals(y.getShape(), pool.getOutputShapes(new Shape[] {x.getShape()})[0]);
            assertArrayEquals(new float[] {1.5f, 5.5f, 9.5f, 13.5f}, y.toFloatArray(), 1e-6f);
        }
    }
}
