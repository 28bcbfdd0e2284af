package org.supcon.trainer.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.supcon.trainer.images.ImageGeometry;
import org.supcon.trainer.dataset.Sample;

/**
 * Separable labeled samples for run tests, as the consumer would append them: label k has a
 * bright horizontal band in the k-th third of a 12x12 gray image, on noise.
 */
public final class SyntheticSamples {

    public static final ImageGeometry GEOMETRY = new ImageGeometry(1, 12, 12);
    public static final List<String> LABELS = List.of("bottom", "middle", "top");

    private SyntheticSamples() {}

    /** {@code perLabel} samples of each label, ids {@code syn-<label>-<i>}, no split hint. */
    public static List<Sample> make(int perLabel, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<Sample> out = new ArrayList<>();
        for (int i = 0; i < perLabel; i++) {
            for (int k = 0; k < LABELS.size(); k++) {
                byte[] px = new byte[GEOMETRY.pixels()];
                for (int y = 0; y < 12; y++) {
                    for (int x = 0; x < 12; x++) {
                        px[y * 12 + x] = (byte) ((y / 4 == k ? 170 : 30) + rng.nextInt(60));
                    }
                }
                out.add(new Sample("syn-" + LABELS.get(k) + "-" + i, LABELS.get(k), px, "synthetic", ""));
            }
        }
        return out;
    }
}
