package org.supcon.trainer.images;

import java.util.ArrayList;
import java.util.List;

/** Small synthetic {@link ImageSet}s for tests, where every image can be told apart. */
public final class TestImages {

    private TestImages() {
    }

    /** Names {@code c0, c1, ...}. */
    public static List<String> names(int classes) {
        List<String> names = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            names.add("c" + c);
        }
        return names;
    }

    /**
     * {@code counts[c]} images of class {@code c}, classes interleaved; the first two values of image
     * {@code i} are {@code i & 0xFF} and {@code i >> 8}, so {@link #id} recovers {@code i}; the rest
     * is a deterministic pattern.
     */
    public static ImageSet indexed(ImageGeometry g, int... counts) {
        int total = 0;
        for (int c : counts) {
            total += c;
        }
        int[] labels = new int[total];
        int[] left = counts.clone();
        int i = 0;
        while (i < total) {
            for (int c = 0; c < counts.length && i < total; c++) {
                if (left[c] > 0) {
                    left[c]--;
                    labels[i++] = c;
                }
            }
        }
        byte[] pixels = new byte[total * g.pixels()];
        for (int k = 0; k < total; k++) {
            int o = k * g.pixels();
            for (int j = 0; j < g.pixels(); j++) {
                pixels[o + j] = (byte) (k * 31 + j * 7);
            }
            pixels[o] = (byte) k;
            pixels[o + 1] = (byte) (k >> 8);
        }
        return new ImageSet(g, names(counts.length), pixels, labels);
    }

    /** The index encoded by {@link #indexed} in image {@code i} of {@code set}. */
    public static int id(ImageSet set, int i) {
        int o = set.offset(i);
        return (set.pixels()[o] & 0xFF) | (set.pixels()[o + 1] & 0xFF) << 8;
    }
}
