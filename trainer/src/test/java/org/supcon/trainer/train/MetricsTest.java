package org.supcon.trainer.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class MetricsTest {

    @Test
    void accuracyAndConfusion() {
        int[] truth = {0, 1, 2, 2};
        int[] pred = {0, 2, 2, 2};
        assertEquals(0.75, Metrics.accuracy(pred, truth), 1e-12);
        assertArrayEquals(new int[] {0, 0, 1}, Metrics.confusion(pred, truth, 3)[1]);
        assertArrayEquals(new int[] {0, 0, 2}, Metrics.confusion(pred, truth, 3)[2]);
    }

    @Test
    void knnVotesByCosineSimilarityNotDistance() {
        // class 0 points along x, class 1 along y; magnitudes differ wildly, directions decide
        Features ref = new Features(new float[] {1, 0, 100, 1, 0, 1, 1, 50}, 4, 2, new int[] {0, 0, 1, 1});
        Features query = new Features(new float[] {1000, 1, 0.01f, 1}, 2, 2, new int[] {0, 1});
        assertEquals(1.0, Metrics.knnAccuracy(ref, query, 1, 2), 1e-12);
        Features wrong = new Features(new float[] {1000, 1, 0.01f, 1}, 2, 2, new int[] {1, 0});
        assertEquals(0.0, Metrics.knnAccuracy(ref, wrong, 1, 2), 1e-12);
    }

    @Test
    void linearClassifierAppliesWeightsAndBias() {
        LinearClassifier c = new LinearClassifier(new float[] {1, 0, 0, 1}, new float[] {0, 0.5f}, 2, 2);
        Features logits = c.apply(new Features(new float[] {2, 1, 0, 3}, 2, 2, new int[] {0, 1}));
        assertArrayEquals(new float[] {2, 1.5f, 0, 3.5f}, logits.values(), 1e-6f);
        assertEquals(1.0, logits.accuracy(), 1e-12);
    }
}
