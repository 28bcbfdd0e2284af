package org.supcon.trainer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class NormalizeTest {

    @Test
    void oneChannelUsesFashionMnistStatistics() {
        try (NDManager manager = NDManager.newBaseManager()) {
            // 0, the mean pixel and 255: expect -mean/std, 0 and (1-mean)/std.
            float meanPixel = 0.2860f * 255f;
            NDArray x = manager.create(new float[] {0f, meanPixel, 255f}, new Shape(1, 1, 1, 3));
            float[] y = TestBlocks.initAndForward(manager, Normalize.forChannels(1), x, false)
                    .toFloatArray();
            assertArrayEquals(
                    new float[] {-0.2860f / 0.3530f, 0f, (1f - 0.2860f) / 0.3530f}, y, 1e-5f);
        }
    }

    @Test
    void threeChannelsNormaliseEachChannelWithItsOwnConstants() {
        try (NDManager manager = NDManager.newBaseManager()) {
            float[] pixels = {10f, 200f, 30f, 40f, 250f, 0f}; // [1, 3, 1, 2], channel-major
            NDArray x = manager.create(pixels, new Shape(1, 3, 1, 2));
            float[] y = TestBlocks.initAndForward(manager, Normalize.forChannels(3), x, false)
                    .toFloatArray();
            float[] mean = {0.4914f, 0.4822f, 0.4465f};
            float[] std = {0.2470f, 0.2435f, 0.2616f};
            float[] expected = new float[6];
            for (int i = 0; i < 6; i++) {
                int c = i / 2;
                expected[i] = (pixels[i] / 255f - mean[c]) / std[c];
            }
            assertArrayEquals(expected, y, 1e-5f);
        }
    }

    @Test
    void builderKeepsExplicitConstantsAndGettersReturnCopies() {
        Normalize n = Normalize.builder().setMean(0.5f, 0.25f).setStd(0.5f, 0.125f).build();
        assertEquals(2, n.channels());
        assertArrayEquals(new float[] {0.5f, 0.25f}, n.mean());
        n.mean()[0] = 9f;
        assertArrayEquals(new float[] {0.5f, 0.25f}, n.mean());
        assertArrayEquals(new float[] {0.5f, 0.125f}, n.std());
        assertEquals(255f, n.pixelScale());
    }

    @Test
    void rejectsBadConstantsAndWrongChannelCount() {
        assertThrows(
                IllegalArgumentException.class,
                () -> Normalize.builder().setMean(0.5f).setStd(0.5f, 0.5f).build());
        assertThrows(
                IllegalArgumentException.class,
                () -> Normalize.builder().setMean(0.5f).setStd(0f).build());
        IllegalArgumentException noDefault =
                assertThrows(IllegalArgumentException.class, () -> Normalize.forChannels(2));
        assertTrue(noDefault.getMessage().contains("2 channels"), noDefault.getMessage());
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray rgb = TestBlocks.pixels(manager, 2, 3, 4, 4);
            IllegalArgumentException wrong =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> TestBlocks.initAndForward(
                                    manager, Normalize.forChannels(1), rgb, false));
            assertTrue(wrong.getMessage().contains("(2, 3, 4, 4)"), wrong.getMessage());
        }
    }
}
