package org.supcon.trainer.augment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.supcon.trainer.images.ImageGeometry;
import org.supcon.trainer.images.ImageSet;
import org.supcon.trainer.images.TestImages;

class BatchLoaderTest {

    private static final ImageGeometry G = new ImageGeometry(3, 8, 8);

    private static List<ViewBatch> drain(BatchLoader loader) {
        List<ViewBatch> out = new ArrayList<>();
        try (loader) {
            while (loader.hasNext()) {
                out.add(loader.next());
            }
        }
        return out;
    }

    private static BatchLoader.Builder augmented(ImageSet set, int workers) {
        return BatchLoader.builder().setImageSet(set).setBatchSize(16).optViews(2)
                .optAugmentSettings(AugmentSettings.supconDefaults())
                .optSeed(42).optEpoch(3).optWorkers(workers).optPrefetch(3);
    }

    @Test
    void identicalDataWhateverTheNumberOfWorkers() {
        ImageSet set = TestImages.indexed(G, 30, 25, 20);
        List<ViewBatch> inline = drain(augmented(set, 0).build());
        List<ViewBatch> one = drain(augmented(set, 1).build());
        List<ViewBatch> two = drain(augmented(set, 2).build());

        assertEquals(5, one.size());
        for (int k = 0; k < one.size(); k++) {
            assertEquals(k, two.get(k).index());
            assertArrayEquals(one.get(k).labels(), two.get(k).labels());
            assertArrayEquals(one.get(k).data(), two.get(k).data(), "batch " + k + " differs with 2 workers");
            assertArrayEquals(one.get(k).data(), inline.get(k).data(), "batch " + k + " differs with 0 workers");
        }
        List<ViewBatch> otherEpoch = drain(augmented(set, 1).optEpoch(4).build());
        assertFalse(Arrays.equals(one.get(0).data(), otherEpoch.get(0).data()), "epochs should differ");
    }

    @Test
    void everyImageExactlyOncePerEpoch() {
        ImageSet set = TestImages.indexed(new ImageGeometry(1, 2, 2), 13, 10);
        BatchLoader loader = BatchLoader.builder().setImageSet(set).setBatchSize(5).optViews(1)
                .optSeed(1).optShuffle(true).optDropLast(false).optWorkers(2).build();
        assertEquals(5, loader.numBatches());

        List<ViewBatch> batches = drain(loader);

        int[] seen = new int[set.size()];
        List<Integer> order = new ArrayList<>();
        for (ViewBatch b : batches) {
            for (int i = 0; i < b.batchSize(); i++) {
                int id = (int) b.data()[b.offset(0, i)] | (int) b.data()[b.offset(0, i) + 1] << 8;
                seen[id]++;
                order.add(id);
                assertEquals(set.label(id), b.labels()[i]);
            }
        }
        int[] once = new int[set.size()];
        Arrays.fill(once, 1);
        assertArrayEquals(once, seen);
        assertEquals(3, batches.get(4).batchSize(), "last partial batch kept");
        List<Integer> sorted = new ArrayList<>(order);
        sorted.sort(null);
        assertNotEquals(sorted, order, "shuffle should reorder");
        assertEquals(5, loader.batches());
    }

    @Test
    void dropLastAndNoShuffle() {
        ImageSet set = TestImages.indexed(new ImageGeometry(1, 2, 2), 11);
        List<ViewBatch> batches = drain(BatchLoader.builder().setImageSet(set).setBatchSize(4).optViews(1)
                .optShuffle(false).optDropLast(true).build());
        assertEquals(2, batches.size());
        assertEquals(4, (int) batches.get(1).data()[0], "without shuffle batch 1 starts at image 4");
    }

    @Test
    void viewMajorLayoutWithPlainCopies() {
        ImageSet set = TestImages.indexed(G, 7);
        List<ViewBatch> batches = drain(BatchLoader.builder().setImageSet(set).setBatchSize(4).optViews(3)
                .optSeed(5).build());
        int p = G.pixels();
        for (ViewBatch b : batches) {
            assertEquals(3 * b.batchSize() * p, b.data().length);
            assertArrayEquals(new long[] {3L * b.batchSize(), 3, 8, 8}, b.shape());
            for (int i = 0; i < b.batchSize(); i++) {
                int id = (int) b.data()[i * p] | (int) b.data()[i * p + 1] << 8;
                float[] source = new float[p];
                Augmenter.copy(set.pixels(), set.offset(id), G, source, 0);
                for (int v = 0; v < 3; v++) {
                    int start = (v * b.batchSize() + i) * p;
                    assertEquals(start, b.offset(v, i));
                    assertArrayEquals(source, Arrays.copyOfRange(b.data(), start, start + p),
                            "view " + v + " of image " + id);
                }
            }
        }
    }

    @Test
    void workerFailureReachesTheConsumer() {
        ImageSet set = TestImages.indexed(G, 20);
        Augmenter failing = new Augmenter(AugmentSettings.none()) {
            @Override
            public void augment(byte[] src, int srcOffset, ImageGeometry g, java.util.SplittableRandom rng,
                    float[] dst, int dstOffset) {
                if (srcOffset / g.pixels() == 13) {
                    throw new ArithmeticException("bad image 13");
                }
                super.augment(src, srcOffset, g, rng, dst, dstOffset);
            }
        };
        BatchLoader loader = BatchLoader.builder().setImageSet(set).setBatchSize(5).optShuffle(false)
                .optAugmenter(failing).optWorkers(2).build();
        try (loader) {
            assertEquals(0, loader.next().index());
            assertEquals(1, loader.next().index());
            IllegalStateException e = assertThrows(IllegalStateException.class, loader::next);
            assertTrue(e.getMessage().contains("batch 2 of 4"), e.getMessage());
            assertTrue(e.getMessage().contains("bad image 13"), e.getMessage());
            assertTrue(e.getCause() instanceof ArithmeticException);
            assertFalse(loader.hasNext(), "a failed loader is closed");
        }
    }

    @Test
    void recordsWaitingAndRejectsBadSettings() {
        ImageSet set = TestImages.indexed(G, 9);
        BatchLoader loader = BatchLoader.builder().setImageSet(set).setBatchSize(3).optWorkers(0).build();
        drain(loader);
        assertTrue(loader.waitNanos() > 0, "computing inline is waiting");
        assertThrows(IllegalStateException.class, loader::next);
        assertThrows(IllegalArgumentException.class,
                () -> BatchLoader.builder().setImageSet(set).setBatchSize(0).build());
        assertThrows(IllegalArgumentException.class,
                () -> BatchLoader.builder().setImageSet(set).setBatchSize(2).optPrefetch(0).build());
        assertThrows(NullPointerException.class, () -> BatchLoader.builder().setBatchSize(2).build());
    }
}
