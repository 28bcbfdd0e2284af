package org.supcon.trainer.images;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class DatasetSplitTest {

    private static final ImageGeometry G = new ImageGeometry(1, 2, 2);

    private static int[] ids(ImageSet set) {
        int[] ids = new int[set.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = TestImages.id(set, i);
        }
        return ids;
    }

    @Test
    void stratifiedAndCoversEveryImageOnce() {
        ImageSet set = TestImages.indexed(G, 50, 30, 20, 1);

        DatasetSplit.Split split = DatasetSplit.split(set, 0.2, 7);

        assertArrayEquals(new int[] {10, 6, 4, 0}, split.validation().countsPerLabel());
        assertArrayEquals(new int[] {40, 24, 16, 1}, split.train().countsPerLabel());
        int[] all = new int[set.size()];
        System.arraycopy(ids(split.train()), 0, all, 0, split.train().size());
        System.arraycopy(ids(split.validation()), 0, all, split.train().size(), split.validation().size());
        Arrays.sort(all);
        for (int i = 0; i < all.length; i++) {
            assertEquals(i, all[i]);
        }
        for (int i = 0; i < split.validation().size(); i++) {
            int id = TestImages.id(split.validation(), i);
            assertEquals(set.label(id), split.validation().label(i));
        }
    }

    @Test
    void deterministicPerSeed() {
        ImageSet set = TestImages.indexed(G, 40, 40);
        int[] a = ids(DatasetSplit.split(set, 0.25, 1).validation());
        int[] b = ids(DatasetSplit.split(set, 0.25, 1).validation());
        int[] c = ids(DatasetSplit.split(set, 0.25, 2).validation());
        assertArrayEquals(a, b);
        assertFalse(Arrays.equals(a, c), "another seed should choose other images");
    }

    @Test
    void zeroFractionGivesEmptyValidation() {
        ImageSet set = TestImages.indexed(G, 3, 4);
        DatasetSplit.Split split = DatasetSplit.split(set, 0, 1);
        assertEquals(0, split.validation().size());
        assertArrayEquals(set.pixels(), split.train().pixels());
        assertThrows(IllegalArgumentException.class, () -> DatasetSplit.split(set, 1.0, 1));
        assertThrows(IllegalArgumentException.class, () -> DatasetSplit.split(set, Double.NaN, 1));
    }
}
