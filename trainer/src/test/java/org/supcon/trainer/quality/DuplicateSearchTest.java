package org.supcon.trainer.quality;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.supcon.common.index.VectorIndex;

/** Near-duplicates on hand-made vectors whose cosines are known. */
class DuplicateSearchTest {

    private static final List<String> LABELS = List.of("zero", "one");
    /** cos(8.1 degrees) = 0.990; two such steps, cos(16.2 degrees) = 0.960. */
    private static final double STEP = 8.1;

    /**
     * In orthogonal planes: a test sample and its train twin (cosine 0.99); a chain of three
     * (train, train, validation) whose ends are only 0.96 apart but join through the middle; a
     * test pair; and a loner.
     */
    @Test
    void pairsAboveTheThresholdJoinIntoGroupsAndTestLeaksAreCalledOut(@TempDir Path dir) throws Exception {
        HandMadeIndex h = new HandMadeIndex(8);
        int leakTest = h.add("a-test", 1, "test", h.at(0, 1, 0));
        int leakTrain = h.add("a-train", 0, "train", h.at(0, 1, STEP));
        int b0 = h.add("b0", 0, "train", h.at(2, 3, 0));
        int b1 = h.add("b1", 0, "train", h.at(2, 3, STEP));
        int b2 = h.add("b2", 1, "validation", h.at(2, 3, 2 * STEP));
        int t0 = h.add("t0", 1, "test", h.at(4, 5, 0));
        int t1 = h.add("t1", 1, "test", h.at(4, 5, 5));
        h.add("loner", 0, "train", h.at(6, 7, 0));
        h.add("loner-far", 0, "test", h.at(6, 7, 30)); // cosine 0.87: not a duplicate
        try (VectorIndex index = h.write(dir)) {
            DuplicateSearch.Result r = DuplicateSearch.run(index, 0.98, 20, 50);
            assertEquals(3, r.groups().size(), String.valueOf(r.pairs()));
            assertArrayEquals(new int[] {b0, b1, b2}, r.groups().get(0).members());
            assertEquals(Math.cos(Math.toRadians(STEP)), r.groups().get(0).minScore(), 1e-5);
            assertArrayEquals(new int[] {leakTest, leakTrain}, r.groups().get(1).members());
            assertArrayEquals(new int[] {t0, t1}, r.groups().get(2).members());
            assertEquals(4, r.pairs().size()); // a, b0-b1, b1-b2, t; not b0-b2 (0.96)
            assertEquals(t0, r.pairs().get(0).a(), "most similar first: " + r.pairs());
            assertEquals(1, r.crossSplit().size());
            assertEquals(new DuplicateSearch.Pair(leakTest, leakTrain, r.crossSplit().get(0).score()), r.crossSplit().get(0));

            NearDuplicates file = DuplicateSearch.nearDuplicates(r, index, LABELS, "bands", 3L, "run-1");
            assertEquals(9, file.samples());
            assertEquals(3L, file.version());
            assertEquals(List.of(new NearDuplicates.Member("b0", "train", "zero"), new NearDuplicates.Member("b1", "train", "zero"),
                    new NearDuplicates.Member("b2", "validation", "one")), file.groups().get(0).members());
            assertEquals(1, file.crossSplitPairsTotal());
            NearDuplicates.Pair leak = file.crossSplitPairs().get(0);
            assertEquals("a-train", leak.trainId());
            assertEquals("a-test", leak.testId());
            assertEquals("zero", leak.trainLabel());
            assertEquals("one", leak.testLabel());
            assertEquals(Math.cos(Math.toRadians(STEP)), leak.score(), 1e-5);

            // a lower threshold joins the loner and its far twin, a pair across train/test too
            DuplicateSearch.Result loose = DuplicateSearch.run(index, 0.85, 20, 50);
            assertEquals(4, loose.groups().size());
            assertEquals(2, loose.crossSplit().size());
            assertEquals(6, loose.pairs().size()); // b0-b2 (0.96) and the loners (0.87) join too
        }
    }

    @Test
    void kBoundsThePairsPerSample(@TempDir Path dir) throws Exception {
        HandMadeIndex h = new HandMadeIndex(2);
        // gaps growing along the arc: each sample's nearest other is the one before it (x0's is x1)
        double[] degrees = {0, 0.1, 0.3, 0.6, 1.0, 1.5};
        for (int i = 0; i < degrees.length; i++) {
            h.add("x" + i, 0, "train", h.at(0, 1, degrees[i]));
        }
        try (VectorIndex index = h.write(dir)) {
            assertEquals(15, DuplicateSearch.run(index, 0.98, 20, 50).pairs().size()); // every pair of six
            DuplicateSearch.Result bounded = DuplicateSearch.run(index, 0.98, 1, 50);
            // each sample names at most its nearest other: still one group of all six, through the chain
            assertEquals(1, bounded.groups().size());
            assertEquals(6, bounded.groups().get(0).members().length);
            assertEquals(5, bounded.pairs().size(), String.valueOf(bounded.pairs()));
        }
    }
}
