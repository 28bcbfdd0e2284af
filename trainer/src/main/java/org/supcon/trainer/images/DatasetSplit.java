package org.supcon.trainer.images;

import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Stratified, seeded train/validation split: each class gives the same fraction of its images to
 * validation, so class proportions are kept in both parts.
 */
public final class DatasetSplit {

    private DatasetSplit() {
    }

    /** The two parts of a split; both keep the source's geometry and label names. */
    public record Split(ImageSet train, ImageSet validation) {
        public Split {
            Objects.requireNonNull(train, "train");
            Objects.requireNonNull(validation, "validation");
        }
    }

    /**
     * Splits {@code set}. Per class with {@code n} images, {@code round(n * validationFraction)}
     * images chosen at random go to validation, but at least one image stays in train. Both parts
     * keep the source order of their images, so only membership depends on the seed. The same
     * (set, fraction, seed) always gives the same split.
     *
     * @param validationFraction in {@code [0, 1)}; 0 gives an empty validation set
     */
    public static Split split(ImageSet set, double validationFraction, long seed) {
        Objects.requireNonNull(set, "set");
        if (!(validationFraction >= 0 && validationFraction < 1)) {
            throw new IllegalArgumentException("validationFraction must be in [0, 1), got " + validationFraction);
        }
        int[] counts = set.countsPerLabel();
        int[][] byLabel = new int[counts.length][];
        for (int c = 0; c < counts.length; c++) {
            byLabel[c] = new int[counts[c]];
        }
        int[] fill = new int[counts.length];
        for (int i = 0; i < set.size(); i++) {
            int c = set.label(i);
            byLabel[c][fill[c]++] = i;
        }
        boolean[] toValidation = new boolean[set.size()];
        int validationSize = 0;
        SplittableRandom rng = new SplittableRandom(seed);
        for (int[] members : byLabel) {
            int n = members.length;
            int take = n == 0 ? 0 : (int) Math.min(Math.round(n * validationFraction), n - 1);
            // Partial Fisher-Yates: the first `take` slots become a uniform random sample.
            for (int k = 0; k < take; k++) {
                int j = k + rng.nextInt(n - k);
                int t = members[k];
                members[k] = members[j];
                members[j] = t;
                toValidation[members[k]] = true;
            }
            validationSize += take;
        }
        int[] train = new int[set.size() - validationSize];
        int[] validation = new int[validationSize];
        int t = 0;
        int v = 0;
        for (int i = 0; i < set.size(); i++) {
            if (toValidation[i]) {
                validation[v++] = i;
            } else {
                train[t++] = i;
            }
        }
        return new Split(set.subset(train), set.subset(validation));
    }

    /** Class counts of both parts, for logs: {@code train [..] / validation [..]}. */
    public static String describe(Split split) {
        return "train " + Arrays.toString(split.train().countsPerLabel())
                + " / validation " + Arrays.toString(split.validation().countsPerLabel());
    }
}
