package org.supcon.trainer.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class FeatureQueueTest {

    /** Rows r, r+1, ... as [rows, 2] with value (r, -r), ids r. */
    private static NDArray rows(NDManager m, int from, int count) {
        float[] v = new float[count * 2];
        for (int i = 0; i < count; i++) {
            v[2 * i] = from + i;
            v[2 * i + 1] = -(from + i);
        }
        return m.create(v, new Shape(count, 2));
    }

    private static NDArray ids(NDManager m, int from, int count) {
        int[] v = new int[count];
        for (int i = 0; i < count; i++) {
            v[i] = from + i;
        }
        return m.create(v);
    }

    @Test
    void fillsThenOverwritesTheOldestRows() {
        try (NDManager m = NDManager.newBaseManager(); FeatureQueue q = new FeatureQueue(5, 2, m)) {
            assertEquals(0, q.size());
            assertEquals(new Shape(0, 2), q.features(m).getShape());
            q.enqueue(rows(m, 0, 3), ids(m, 0, 3));
            assertEquals(3, q.size());
            assertArrayEquals(new int[] {0, 1, 2}, q.classIds(m).toIntArray());
            // 4 more: 3 and 4 fill the queue, 5 and 6 overwrite 0 and 1 (the oldest)
            q.enqueue(rows(m, 3, 4), ids(m, 3, 4));
            assertEquals(5, q.size());
            assertArrayEquals(new int[] {5, 6, 2, 3, 4}, q.classIds(m).toIntArray());
            assertArrayEquals(new float[] {5, -5, 6, -6, 2, -2, 3, -3, 4, -4}, q.features(m).toFloatArray());
        }
    }

    @Test
    void moreRowsThanTheCapacityKeepTheLast() {
        try (NDManager m = NDManager.newBaseManager(); FeatureQueue q = new FeatureQueue(4, 2, m)) {
            q.enqueue(rows(m, 0, 1), ids(m, 0, 1));
            q.enqueue(rows(m, 10, 6), ids(m, 10, 6));
            assertEquals(4, q.size());
            java.util.List<Integer> kept = new java.util.ArrayList<>();
            for (int id : q.classIds(m).toIntArray()) {
                kept.add(id);
            }
            java.util.Collections.sort(kept);
            assertEquals(java.util.List.of(12, 13, 14, 15), kept);
        }
    }

    @Test
    void stateRoundTripsIncludingThePosition() {
        try (NDManager m = NDManager.newBaseManager(); FeatureQueue a = new FeatureQueue(5, 2, m);
                FeatureQueue b = new FeatureQueue(5, 2, m)) {
            a.enqueue(rows(m, 0, 7), ids(m, 0, 7));
            NDList saved = NDList.decode(m, a.state(m).encode());
            b.load(saved);
            assertEquals(a.size(), b.size());
            // the next rows must overwrite the same slots in both
            a.enqueue(rows(m, 100, 2), ids(m, 100, 2));
            b.enqueue(rows(m, 100, 2), ids(m, 100, 2));
            assertArrayEquals(a.classIds(m).toIntArray(), b.classIds(m).toIntArray());
            assertArrayEquals(a.features(m).toFloatArray(), b.features(m).toFloatArray());
            try (FeatureQueue other = new FeatureQueue(6, 2, m)) {
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> other.load(saved));
                assertTrue(e.getMessage().contains("6 x 2"), e.getMessage());
            }
        }
    }

    @Test
    void badShapesAreRefused() {
        try (NDManager m = NDManager.newBaseManager(); FeatureQueue q = new FeatureQueue(5, 2, m)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> q.enqueue(m.zeros(new Shape(3, 4)), ids(m, 0, 3)));
            assertTrue(e.getMessage().contains("[rows, 2]"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> q.enqueue(rows(m, 0, 3), ids(m, 0, 2)));
            assertThrows(IllegalArgumentException.class, () -> new FeatureQueue(0, 2, m));
        }
    }
}
