package org.supcon.trainer.augment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.supcon.trainer.images.ImageGeometry;

class AugmenterTest {

    private static final ImageGeometry RGB = new ImageGeometry(3, 12, 10);
    private static final ImageGeometry GRAY = new ImageGeometry(1, 9, 7);

    private static byte[] image(ImageGeometry g, int seed) {
        byte[] b = new byte[g.pixels()];
        SplittableRandom rng = new SplittableRandom(seed);
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) rng.nextInt(256);
        }
        return b;
    }

    private static float[] view(Augmenter a, byte[] src, ImageGeometry g, long seed) {
        float[] dst = new float[g.pixels() + 5];
        a.augment(src, 0, g, new SplittableRandom(seed), dst, 5);
        return Arrays.copyOfRange(dst, 5, dst.length);
    }

    private static float[] asFloats(byte[] src) {
        float[] f = new float[src.length];
        for (int i = 0; i < src.length; i++) {
            f[i] = src[i] & 0xFF;
        }
        return f;
    }

    @Test
    void supconViewsStayInRangeAndDependOnlyOnTheSeed() {
        Augmenter a = new Augmenter(AugmentSettings.supconDefaults());
        for (ImageGeometry g : new ImageGeometry[] {RGB, GRAY}) {
            byte[] src = image(g, 3);
            boolean changed = false;
            for (long seed = 0; seed < 50; seed++) {
                float[] v = view(a, src, g, seed);
                for (float x : v) {
                    assertTrue(x >= 0 && x <= 255, "value out of range: " + x);
                }
                assertArrayEquals(v, view(a, src, g, seed), "same seed must give the same view");
                changed |= !Arrays.equals(v, asFloats(src));
            }
            assertTrue(changed, "supcon augmentation never changed the " + g + " image");
            assertFalse(Arrays.equals(view(a, src, g, 1), view(a, src, g, 2)), "different seeds, same view");
        }
    }

    @Test
    void fullCropWithoutFlipOrJitterIsTheIdentity() {
        AugmentSettings s = new AugmentSettings(1, 1, 3.0 / 4, 4.0 / 3, false, 0.4, 0.4, 0.4, 0.1, 0, 0);
        byte[] src = image(RGB, 9);
        for (long seed = 0; seed < 20; seed++) {
            assertArrayEquals(asFloats(src), view(new Augmenter(s), src, RGB, seed));
        }
        assertArrayEquals(asFloats(src), view(new Augmenter(AugmentSettings.none()), src, RGB, 1));
    }

    @Test
    void flipMirrorsEveryRow() {
        AugmentSettings flipOnly = new AugmentSettings(1, 1, 1, 1, true, 0, 0, 0, 0, 0, 0);
        Augmenter a = new Augmenter(flipOnly);
        ImageGeometry g = new ImageGeometry(1, 2, 3);
        byte[] src = {1, 2, 3, 4, 5, 6};
        float[] flipped = {3, 2, 1, 6, 5, 4};
        int flips = 0;
        for (long seed = 0; seed < 40; seed++) {
            float[] v = view(a, src, g, seed);
            if (Arrays.equals(v, flipped)) {
                flips++;
            } else {
                assertArrayEquals(asFloats(src), v, "a view is either the image or its mirror");
            }
        }
        assertTrue(flips > 5 && flips < 35, "flip probability should be about 0.5, got " + flips + "/40");
    }

    @Test
    void cropZoomsIntoPartOfTheImage() {
        AugmentSettings s = new AugmentSettings(0.25, 0.25, 1, 1, false, 0, 0, 0, 0, 0, 0);
        ImageGeometry g = new ImageGeometry(1, 8, 8);
        byte[] src = new byte[64];
        for (int i = 0; i < 64; i++) {
            src[i] = (byte) (i % 8 * 30);
        }
        float[] v = view(new Augmenter(s), src, g, 4);
        // A 4x4 crop of a horizontal ramp spans at most 3 steps of 30, stretched over 8 columns.
        float lo = Float.MAX_VALUE;
        float hi = -1;
        for (float x : v) {
            lo = Math.min(lo, x);
            hi = Math.max(hi, x);
        }
        assertEquals(90, hi - lo, 1e-3);
    }

    @Test
    void grayscaleMakesChannelsEqual() {
        AugmentSettings s = new AugmentSettings(1, 1, 1, 1, false, 0, 0, 0, 0, 0, 1);
        float[] v = view(new Augmenter(s), image(RGB, 5), RGB, 0);
        int plane = RGB.planeSize();
        for (int i = 0; i < plane; i++) {
            assertEquals(v[i], v[i + plane]);
            assertEquals(v[i], v[i + 2 * plane]);
        }
    }

    @Test
    void hueRotationKeepsGrayPixelsAndChangesColouredOnes() {
        AugmentSettings s = new AugmentSettings(1, 1, 1, 1, false, 0, 0, 0, 0.5, 1, 0);
        ImageGeometry g = new ImageGeometry(3, 1, 2);
        byte[] src = {(byte) 200, 90, 10, 90, 0, 90}; // pixel 0 orange-red, pixel 1 gray 90
        float[] v = view(new Augmenter(s), src, g, 11);
        assertEquals(90, v[1]);
        assertEquals(90, v[3]);
        assertEquals(90, v[5]);
        float max = Math.max(v[0], Math.max(v[2], v[4]));
        float min = Math.min(v[0], Math.min(v[2], v[4]));
        assertEquals(200, max, 1e-3);
        assertEquals(0, min, 1e-3);
        assertFalse(v[0] == 200 && v[2] == 10 && v[4] == 0, "hue should have moved");
    }

    @Test
    void copyConvertsToFloats() {
        byte[] src = {0, 7, (byte) 255, (byte) 128};
        float[] dst = new float[6];
        Augmenter.copy(src, 0, new ImageGeometry(1, 2, 2), dst, 1);
        assertArrayEquals(new float[] {0, 0, 7, 255, 128, 0}, dst);
        assertThrows(IndexOutOfBoundsException.class,
                () -> Augmenter.copy(src, 1, new ImageGeometry(1, 2, 2), dst, 0));
    }

    @Test
    void settingsAreValidated() {
        assertThrows(IllegalArgumentException.class,
                () -> new AugmentSettings(0.5, 0.2, 1, 1, false, 0, 0, 0, 0, 0, 0));
        assertThrows(IllegalArgumentException.class,
                () -> new AugmentSettings(0.2, 1, 1, 1, false, 0, 0, 0, 0.6, 0, 0));
        assertThrows(IllegalArgumentException.class,
                () -> new AugmentSettings(0.2, 1, 1, 1, false, 0, 0, 0, 0, 1.5, 0));
    }
}
