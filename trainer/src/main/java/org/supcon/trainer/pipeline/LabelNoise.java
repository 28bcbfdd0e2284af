package org.supcon.trainer.pipeline;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.supcon.trainer.images.ImageSet;
import org.supcon.trainer.io.JsonFiles;

/**
 * Symmetric label noise for robustness and mislabel-detection experiments: a seeded random
 * {@code fraction} of the training images get a label drawn uniformly from the other labels. The
 * flips are recorded ({@value #FILE}) so detection can be scored against them; validation and
 * test images are never touched, so accuracy is measured on clean labels.
 */
public final class LabelNoise {

    /** The record of the flips in a run's output. */
    public static final String FILE = "label-noise.json";

    /** Mixed into the run's seed so the flips do not correlate with the weights' initialisation. */
    private static final long SALT = 0x6C61_6265_6C6EL;

    /** One flipped label: the sample's id, its true label and the label it was trained with. */
    public record Flip(String id, String trueLabel, String givenLabel) {}

    /** What was flipped, as written to {@value #FILE}. */
    public record Record(double fraction, long seed, int trainImages, List<Flip> flips) {
        public void write(Path file) throws IOException {
            JsonFiles.write(file, this);
        }

        public static Record read(Path file) throws IOException {
            return JsonFiles.read(file, Record.class);
        }
    }

    /** The noisy set and its record. */
    public record Applied(ImageSet images, Record record) {}

    private LabelNoise() {}

    /**
     * Flips {@code round(fraction * size)} labels of {@code train}, each to another label chosen
     * uniformly; the same (set, fraction, seed) always flips the same images the same way.
     */
    public static Applied apply(ImageSet train, double fraction, long seed) {
        if (!(fraction >= 0 && fraction < 1)) {
            throw new IllegalArgumentException("label noise must be in [0, 1), got " + fraction);
        }
        int n = train.size();
        int classes = train.numClasses();
        int flips = classes < 2 ? 0 : (int) Math.round(fraction * n);
        int[] labels = train.labels().clone();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        SplittableRandom rng = new SplittableRandom(seed ^ SALT);
        List<Flip> record = new ArrayList<>(flips);
        for (int k = 0; k < flips; k++) {
            // partial Fisher-Yates: the first `flips` positions are a uniform sample without repeats
            int j = k + rng.nextInt(n - k);
            int t = order[k];
            order[k] = order[j];
            order[j] = t;
            int i = order[k];
            int given = (labels[i] + 1 + rng.nextInt(classes - 1)) % classes;
            record.add(new Flip(train.id(i), train.labelNames().get(labels[i]), train.labelNames().get(given)));
            labels[i] = given;
        }
        record.sort(java.util.Comparator.comparing(Flip::id));
        ImageSet noisy = flips == 0 ? train : train.withLabels(labels);
        return new Applied(noisy, new Record(fraction, seed, n, List.copyOf(record)));
    }
}
