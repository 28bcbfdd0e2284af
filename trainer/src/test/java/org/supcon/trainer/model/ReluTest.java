package org.supcon.trainer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class ReluTest {

    @Test
    void clampsNegativesAndKeepsShape() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = manager.create(new float[] {-1f, 0f, 2f, -0.5f}, new Shape(2, 2));
            NDArray y = TestBlocks.initAndForward(manager, new Relu(), x, false);
            assertEquals(new Shape(2, 2), y.getShape());
            assertArrayEquals(new float[] {0f, 0f, 2f, 0f}, y.toFloatArray());
        }
    }
}
