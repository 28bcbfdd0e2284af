package org.supcon.trainer.quality;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.supcon.common.index.VectorIndex;

/** The neighbours' vote on hand-made vectors whose neighbours, and so whose answer, are known. */
class LabelVoteTest {

    private static final List<String> LABELS = List.of("zero", "one", "two");

    /** Three clusters of six in orthogonal planes; one sample of cluster 0 is labelled 1. */
    @Test
    void aFlippedLabelIsOutvotedByItsClusterAndNothingElseIs(@TempDir Path dir) throws Exception {
        HandMadeIndex h = new HandMadeIndex(6);
        int flipped = -1;
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < 6; i++) {
                boolean flip = c == 0 && i == 2;
                int o = h.add("c" + c + "-" + i, flip ? 1 : c, c == 2 ? "test" : "train", h.at(2 * c, 2 * c + 1, 2 * i));
                flipped = flip ? o : flipped;
            }
        }
        try (VectorIndex index = h.write(dir)) {
            LabelVote.Result r = LabelVote.run(index, 3, 5, 0.5, 50);
            assertEquals(1, r.suspects().size(), String.valueOf(r.suspects()));
            LabelVote.Vote v = r.suspects().get(0);
            assertEquals(flipped, v.ordinal());
            assertEquals(1, v.given());
            assertEquals(0, v.suggested());
            assertEquals(1.0, v.score());
            assertArrayEquals(new int[] {5, 0, 0}, v.counts());
            // its voters sit 2, 2, 4, 4 and 6 degrees away
            double support = (2 * Math.cos(Math.toRadians(2)) + 2 * Math.cos(Math.toRadians(4)) + Math.cos(Math.toRadians(6))) / 5;
            assertEquals(support, v.support(), 1e-5);
            for (int o = 0; o < index.count(); o++) {
                // in cluster 0 the others see the flipped sample among their five: 4 votes to 1, their label wins
                assertEquals(o == flipped ? 1.0 : 0.0, r.scores()[o], "score of " + index.entry(o));
            }

            LabelIssues file = LabelVote.issues(r, index, LABELS, "bands", null, "run-1");
            assertEquals(18, file.samples());
            assertEquals(5, file.neighbours());
            LabelIssues.Suspect s = file.suspects().get(0);
            assertEquals("c0-2", s.id());
            assertEquals("train", s.split());
            assertEquals("one", s.givenLabel());
            assertEquals("zero", s.suggestedLabel());
            assertEquals(Map.of("zero", 5), s.votes());
            assertEquals(support, s.support(), 1e-5);
            assertEquals(Set.of("c0-0", "c0-1", "c0-3", "c0-4", "c0-5"), Set.copyOf(s.neighbours()));
            // nearest first: the two 2 degrees away, then the two 4 degrees away, then the one 6 degrees away
            assertTrue(Set.of("c0-1", "c0-3").containsAll(s.neighbours().subList(0, 2)), s.neighbours().toString());
            assertTrue(Set.of("c0-0", "c0-4").containsAll(s.neighbours().subList(2, 4)), s.neighbours().toString());
            assertEquals("c0-5", s.neighbours().get(4));
        }
    }

    /** Equal scores: the suspect whose voters are closer ranks first, though its id sorts later. */
    @Test
    void amongEqualScoresTheCloserEvidenceRanksFirst(@TempDir Path dir) throws Exception {
        HandMadeIndex h = new HandMadeIndex(4);
        for (int i = 0; i < 6; i++) {
            h.add("a-" + i, i == 2 ? 1 : 0, "train", h.at(0, 1, 3 * i)); // 3 degrees apart
            h.add("b-" + i, i == 2 ? 1 : 0, "train", h.at(2, 3, i)); // 1 degree apart: tighter
        }
        try (VectorIndex index = h.write(dir)) {
            LabelVote.Result r = LabelVote.run(index, 2, 5, 0.5, 50);
            assertEquals(List.of("b-2", "a-2"), r.suspects().stream().map(v -> index.entry(v.ordinal()).id()).toList());
            assertEquals(r.suspects().get(0).score(), r.suspects().get(1).score());
            assertTrue(r.suspects().get(0).support() > r.suspects().get(1).support());
        }
    }

    /**
     * Six samples at 0, 1, 3, 6, 10 and 15 degrees, labelled zero, two, one, one, two, zero: each
     * sees the other five, two labels tie at two votes over its own one (score 1/5), and the tie
     * goes to the label of the nearer neighbour.
     */
    @Test
    void theMarginIsInclusiveAndATieGoesToTheNearestNeighboursLabel(@TempDir Path dir) throws Exception {
        HandMadeIndex h = new HandMadeIndex(2);
        double[] degrees = {0, 1, 3, 6, 10, 15};
        int[] given = {0, 2, 1, 1, 2, 0};
        for (int i = 0; i < degrees.length; i++) {
            h.add("s" + i, given[i], "train", h.at(0, 1, degrees[i]));
        }
        try (VectorIndex index = h.write(dir)) {
            LabelVote.Result r = LabelVote.run(index, 3, 5, 0.2, 10);
            assertEquals(6, r.suspects().size());
            int[] suggested = new int[6];
            for (LabelVote.Vote v : r.suspects()) {
                assertEquals(0.2, v.score(), 1e-12);
                suggested[v.ordinal()] = v.suggested();
            }
            assertArrayEquals(new int[] {2, 0, 2, 2, 1, 2}, suggested);
            // equal confidence: the closer evidence first (support, the mean cosine of the winning label's
            // voters), then id; s3 (6 degrees) has its label-2 voters at 4 and 5 degrees, s5 (15) at 5 and 14
            List<LabelVote.Vote> bySupport = new java.util.ArrayList<>(r.suspects());
            bySupport.sort(java.util.Comparator.comparingDouble(LabelVote.Vote::support).reversed()
                    .thenComparing(v -> index.entry(v.ordinal()).id()));
            assertEquals(bySupport, r.suspects());
            assertEquals("s3", index.entry(r.suspects().get(0).ordinal()).id());
            assertEquals("s5", index.entry(r.suspects().get(5).ordinal()).id());

            LabelVote.Result stricter = LabelVote.run(index, 3, 5, 0.25, 10);
            assertEquals(List.of(), stricter.suspects());
            assertArrayEquals(r.scores(), stricter.scores());
        }
    }

    @Test
    void theGivenLabelWinsATie(@TempDir Path dir) throws Exception {
        HandMadeIndex h = new HandMadeIndex(2);
        int p = h.add("p", 0, "train", h.at(0, 1, 0));
        int[] labels = {1, 0, 1, 0};
        for (int i = 0; i < labels.length; i++) {
            h.add("n" + i, labels[i], "train", h.at(0, 1, i + 1));
        }
        try (VectorIndex index = h.write(dir)) {
            LabelVote.Result r = LabelVote.run(index, 2, 4, 0.1, 10);
            LabelVote.Vote v = r.votes().get(p);
            assertArrayEquals(new int[] {2, 2}, v.counts());
            assertEquals(0, v.suggested());
            assertEquals(0.0, v.score());
            assertTrue(r.suspects().stream().noneMatch(s -> s.ordinal() == p));
            // n0 (label one) has p, n1, n3 (zero) and n2 (one) around it: 3 to 1, a suspect at 0.5
            assertEquals(0.5, r.scores()[1], 1e-12);
            assertEquals(Set.of("n0", "n2"), r.suspects().stream().map(s -> index.entry(s.ordinal()).id())
                    .collect(Collectors.toSet()));
        }
    }

    @Test
    void badArgumentsAreNamed(@TempDir Path dir) throws Exception {
        HandMadeIndex h = new HandMadeIndex(2);
        h.add("a", 0, "train", h.at(0, 1, 0));
        h.add("b", 2, "train", h.at(0, 1, 1));
        try (VectorIndex index = h.write(dir)) {
            assertEquals("k must be at least 1, got 0",
                    assertThrows(IllegalArgumentException.class, () -> LabelVote.run(index, 3, 0, 0.5, 10)).getMessage());
            assertEquals("margin must be in (0, 1], got 0.0",
                    assertThrows(IllegalArgumentException.class, () -> LabelVote.run(index, 3, 1, 0, 10)).getMessage());
            assertEquals("sample b has label 2, beyond the 2 labels",
                    assertThrows(IllegalArgumentException.class, () -> LabelVote.run(index, 2, 1, 0.5, 10)).getMessage());
        }
    }
}
