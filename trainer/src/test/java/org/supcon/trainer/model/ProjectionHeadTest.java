package org.supcon.trainer.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProjectionHeadTest {

    private static void assertUnitRows(NDArray z) {
        float[] norms = z.norm(new int[] {1}).toFloatArray();
        for (float n : norms) {
            assertEquals(1f, n, 1e-5f);
        }
    }

    @Test
    void mlpHeadIsLinearReluLinearL2Normalize() {
        try (NDManager manager = NDManager.newBaseManager()) {
            SequentialBlock head = ProjectionHead.build(HeadType.MLP, 16, 8);
            List<Block> blocks = head.getChildren().values();
            assertEquals(4, blocks.size());
            assertInstanceOf(Linear.class, blocks.get(0));
            assertInstanceOf(Relu.class, blocks.get(1));
            assertInstanceOf(Linear.class, blocks.get(2));
            assertInstanceOf(L2Normalize.class, blocks.get(3));
            NDArray z = TestBlocks.initAndForward(
                    manager, head, manager.randomNormal(new Shape(5, 16)), true);
            assertEquals(new Shape(5, 8), z.getShape());
            assertUnitRows(z);
            // Linear(16, 16) + Linear(16, 8), both with bias.
            assertEquals(16 * 16 + 16 + 16 * 8 + 8, TestBlocks.trainableParameterCount(head));
        }
    }

    @Test
    void linearHeadDefaultsTo128Dimensions() {
        try (NDManager manager = NDManager.newBaseManager()) {
            SequentialBlock head = ProjectionHead.build(HeadType.LINEAR, 32);
            assertEquals(2, head.getChildren().size());
            NDArray z = TestBlocks.initAndForward(
                    manager, head, manager.randomNormal(new Shape(3, 32)), false);
            assertEquals(new Shape(3, ProjectionHead.DEFAULT_OUT_DIM), z.getShape());
            assertUnitRows(z);
        }
    }

    @Test
    void rejectsBadDimensions() {
        assertThrows(IllegalArgumentException.class, () -> ProjectionHead.build(HeadType.MLP, 0));
        assertThrows(
                IllegalArgumentException.class, () -> ProjectionHead.build(HeadType.MLP, 8, 0));
        assertThrows(IllegalArgumentException.class, () -> ProjectionHead.build(null, 8));
    }
}
