package org.supcon.trainer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

class L2NormalizeTest {

    @Test
    void scalesRowsToUnitNorm() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = manager.create(new float[] {3f, 4f, 0f, -2f}, new Shape(2, 2));
            float[] y = TestBlocks.initAndForward(manager, new L2Normalize(), x, false)
                    .toFloatArray();
            assertArrayEquals(new float[] {0.6f, 0.8f, 0f, -1f}, y, 1e-6f);
        }
    }

    @Test
    void zeroRowStaysZeroWithFiniteGradient() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = manager.zeros(new Shape(2, 3));
            x.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y = TestBlocks.initAndForward(manager, new L2Normalize(), x, true);
                assertArrayEquals(new float[6], y.toFloatArray());
                gc.backward(y.sum());
            }
            assertFalse(x.getGradient().isNaN().any().getBoolean(), "NaN gradient at zero row");
            assertFalse(x.getGradient().isInfinite().any().getBoolean());
        }
    }

    @Test
    void rejectsNonMatrixInput() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = manager.ones(new Shape(2, 3, 4));
            assertThrows(
                    IllegalArgumentException.class,
                    () -> TestBlocks.initAndForward(manager, new L2Normalize(), x, false));
        }
    }
}
