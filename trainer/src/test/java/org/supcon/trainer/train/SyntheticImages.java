package org.supcon.trainer.train;

import java.util.List;
import java.util.SplittableRandom;
import org.supcon.trainer.images.ImageGeometry;
import org.supcon.trainer.images.ImageSet;

/**
 * Separable synthetic images for training tests: class k has a bright horizontal band in the
 * k-th third of a 12x12 image, on noise. Survives the crops and flips of the augmentation
 * often enough to be learnt in a few epochs.
 */
final class SyntheticImages {

    static final ImageGeometry GEOMETRY = new ImageGeometry(1, 12, 12);
    static final List<String> LABELS = List.of("top", "middle", "bottom");

    private SyntheticImages() {}

    static ImageSet make(int perClass, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int n = perClass * LABELS.size();
        int px = GEOMETRY.pixels();
        byte[] pixels = new byte[n * px];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            int k = i % LABELS.size();
            labels[i] = k;
            for (int y = 0; y < 12; y++) {
                for (int x = 0; x < 12; x++) {
                    boolean band = y / 4 == k;
                    int v = (band ? 170 : 30) + rng.nextInt(60);
                    pixels[i * px + y * 12 + x] = (byte) v;
                }
            }
        }
        return new ImageSet(GEOMETRY, LABELS, pixels, labels);
    }
}
