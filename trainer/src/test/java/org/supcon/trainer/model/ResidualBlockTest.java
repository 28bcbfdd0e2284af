package org.supcon.trainer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResidualBlockTest {

    private static ResidualBlock block(ResidualBlock.Kind kind, int in, int width, int stride) {
        return ResidualBlock.builder()
                .setKind(kind)
                .setInChannels(in)
                .setWidth(width)
                .optStride(stride)
                .build();
    }

    @Test
    void basicBlockWithStrideProjectsAndHalvesResolution() {
        try (NDManager manager = NDManager.newBaseManager()) {
            ResidualBlock b = block(ResidualBlock.Kind.BASIC, 4, 8, 2);
            NDArray x = manager.randomNormal(new Shape(2, 4, 7, 7));
            NDArray y = TestBlocks.initAndForward(manager, b, x, true);
            assertEquals(new Shape(2, 8, 4, 4), y.getShape());
            assertEquals(y.getShape(), b.getOutputShapes(new Shape[] {x.getShape()})[0]);
            assertTrue(b.hasProjection());
            assertEquals(
                    List.of("01conv1", "02bn1", "03conv2", "04bn2", "05shortcutConv",
                            "06shortcutBn"),
                    b.getChildren().keys());
            assertEquals(new Shape(2, 2), b.conv1().getStride());
            assertEquals(new Shape(3, 3), b.conv1().getKernelShape());
            assertTrue(b.conv3().isEmpty());
        }
    }

    @Test
    void bottleneckExpandsByFourWithStrideOnTheThreeByThree() {
        try (NDManager manager = NDManager.newBaseManager()) {
            ResidualBlock b = block(ResidualBlock.Kind.BOTTLENECK, 8, 4, 2);
            NDArray x = manager.randomNormal(new Shape(2, 8, 8, 8));
            NDArray y = TestBlocks.initAndForward(manager, b, x, true);
            assertEquals(new Shape(2, 16, 4, 4), y.getShape());
            assertEquals(16, b.outChannels());
            assertEquals(new Shape(1, 1), b.conv1().getKernelShape());
            assertEquals(new Shape(1, 1), b.conv1().getStride());
            assertEquals(new Shape(2, 2), b.conv2().getStride());
            assertEquals(16, b.conv3().orElseThrow().getFilters());
            assertTrue(b.shortcutConv().isPresent());
        }
    }

    @Test
    void sameShapeBlockKeepsIdentityShortcut() {
        ResidualBlock b = block(ResidualBlock.Kind.BASIC, 8, 8, 1);
        assertFalse(b.hasProjection());
        assertEquals(4, b.getChildren().size());
        // A bottleneck with equal in/out channels (in = 4 * width) also keeps the identity.
        assertFalse(block(ResidualBlock.Kind.BOTTLENECK, 16, 4, 1).hasProjection());
    }

    @Test
    void outputIsReluOfResidualPlusShortcut() {
        try (NDManager manager = NDManager.newBaseManager()) {
            ResidualBlock b = block(ResidualBlock.Kind.BASIC, 3, 3, 1);
            NDArray x = manager.randomNormal(new Shape(2, 3, 5, 5));
            NDArray y = TestBlocks.initAndForward(manager, b, x, false);
            // With bn2's gamma and beta at 0 the residual branch is 0, so out = relu(x).
            for (Parameter p : b.bn2().getParameters().values()) {
                if (p.getType() == Parameter.Type.GAMMA) {
                    p.getArray().muli(0);
                }
            }
            NDArray zeroed = TestBlocks.forward(manager, b, x, false);
            assertArrayEquals(Activation.relu(x).toFloatArray(), zeroed.toFloatArray(), 1e-6f);
            assertFalse(y.allClose(zeroed), "the residual branch should matter before zeroing");
        }
    }

    @Test
    void rejectsWrongInputChannelsAndMissingSettings() {
        try (NDManager manager = NDManager.newBaseManager()) {
            ResidualBlock b = block(ResidualBlock.Kind.BASIC, 4, 4, 1);
            IllegalArgumentException e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> TestBlocks.initAndForward(
                                    manager, b, manager.ones(new Shape(1, 3, 4, 4)), false));
            assertTrue(e.getMessage().contains("[N, 4, H, W]"), e.getMessage());
        }
        assertThrows(
                IllegalArgumentException.class,
                () -> ResidualBlock.builder().setInChannels(4).setWidth(4).build());
        assertThrows(
                IllegalArgumentException.class,
                () -> block(ResidualBlock.Kind.BASIC, 4, 4, 0));
    }
}
