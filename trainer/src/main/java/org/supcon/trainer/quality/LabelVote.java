package org.supcon.trainer.quality;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.supcon.common.index.IndexEntry;
import org.supcon.common.index.Neighbour;
import org.supcon.common.index.VectorIndex;

/**
 * Suspected mislabels by a vote of neighbours in the model's embedding space: each sample's
 * {@code k} nearest other samples (HNSW, {@link VectorIndex#neighboursOf}) vote with their labels.
 * A sample's score is the winning label's share of the votes minus its own label's share, 0 when
 * its own label wins or ties; a sample scoring at least {@code margin} is a suspect, and the
 * winning label is the suggestion. A tie between other labels goes to the one whose vote came
 * from the nearest neighbour.
 *
 * <p>Pure Java over the index, one query per sample, run in parallel (the index is
 * thread-safe).
 */
public final class LabelVote {

    /**
     * One sample's vote; {@code neighbours} are ordinals, nearest first, {@code counts} votes per
     * label index, {@code support} the mean cosine of the neighbours that voted for the suggested
     * label (how close the evidence is: among equal scores, the closer evidence ranks first).
     */
    public record Vote(int ordinal, int given, int suggested, double score, double support, int[] counts, int[] neighbours) {}

    /**
     * The vote over every sample of an index.
     *
     * @param scores the score of every sample by ordinal (0 where its label wins), for a
     *     precision-recall curve against known flips
     * @param votes every sample's vote by ordinal
     * @param suspects the samples scoring at least the margin, highest score first, ties by id
     */
    public record Result(int k, double margin, double[] scores, List<Vote> votes, List<Vote> suspects) {}

    private LabelVote() {}

    /**
     * Votes on every sample of {@code index}.
     *
     * @param classes labels the index's label indices refer to
     * @param k neighbours per sample, at least 1
     * @param margin the score that makes a suspect, in (0, 1]
     * @param candidates the HNSW search's queue size (at least {@code k}); more is slower and more exact
     */
    public static Result run(VectorIndex index, int classes, int k, double margin, int candidates) {
        if (k < 1) {
            throw new IllegalArgumentException("k must be at least 1, got " + k);
        }
        if (!(margin > 0 && margin <= 1)) {
            throw new IllegalArgumentException("margin must be in (0, 1], got " + margin);
        }
        for (int o = 0; o < index.count(); o++) {
            IndexEntry e = index.entry(o);
            if (e.label() >= classes) {
                throw new IllegalArgumentException("sample " + e.id() + " has label " + e.label() + ", beyond the "
                        + classes + " labels");
            }
        }
        Vote[] votes = new Vote[index.count()];
        IntStream.range(0, votes.length).parallel()
                .forEach(o -> votes[o] = vote(index, o, classes, k, Math.max(k, candidates)));
        double[] scores = new double[votes.length];
        List<Vote> suspects = new ArrayList<>();
        for (Vote v : votes) {
            scores[v.ordinal()] = v.score();
            // the score is a ratio of small integers: a tolerance keeps 3/10 >= 0.3 true
            if (v.score() >= margin - 1e-12) {
                suspects.add(v);
            }
        }
        suspects.sort(Comparator.comparingDouble(Vote::score).reversed()
                .thenComparing(Comparator.comparingDouble(Vote::support).reversed())
                .thenComparing(v -> index.entry(v.ordinal()).id()));
        return new Result(k, margin, scores, List.of(votes), List.copyOf(suspects));
    }

    private static Vote vote(VectorIndex index, int ordinal, int classes, int k, int candidates) {
        List<Neighbour> near = index.neighboursOf(ordinal, k, false, candidates);
        int given = index.entry(ordinal).label();
        int[] counts = new int[classes];
        int[] firstSeen = new int[classes];
        java.util.Arrays.fill(firstSeen, Integer.MAX_VALUE);
        int[] neighbours = new int[near.size()];
        for (int i = 0; i < near.size(); i++) {
            Neighbour n = near.get(i);
            neighbours[i] = n.ordinal();
            counts[n.label()]++;
            firstSeen[n.label()] = Math.min(firstSeen[n.label()], i);
        }
        int top = given;
        for (int c = 0; c < classes; c++) {
            if (counts[c] > counts[top] || (counts[c] == counts[top] && top != given && firstSeen[c] < firstSeen[top])) {
                top = c;
            }
        }
        double score = near.isEmpty() ? 0 : (double) (counts[top] - counts[given]) / near.size();
        double support = 0;
        for (Neighbour n : near) {
            support += n.label() == top ? n.score() : 0;
        }
        support = counts[top] == 0 ? 0 : support / counts[top];
        return new Vote(ordinal, given, top, score, support, counts, neighbours);
    }

    /** The suspects as {@value LabelIssues#FILE} names them: ids, label names, votes by label, neighbours' ids. */
    public static LabelIssues issues(Result r, VectorIndex index, List<String> labels, String modelName, Long version,
            String runId) {
        List<LabelIssues.Suspect> suspects = new ArrayList<>(r.suspects().size());
        for (Vote v : r.suspects()) {
            IndexEntry e = index.entry(v.ordinal());
            Map<String, Integer> votes = new LinkedHashMap<>();
            IntStream.range(0, labels.size()).boxed().filter(c -> v.counts()[c] > 0)
                    .sorted(Comparator.comparingInt((Integer c) -> v.counts()[c]).reversed())
                    .forEach(c -> votes.put(labels.get(c), v.counts()[c]));
            List<String> ids = IntStream.of(v.neighbours()).mapToObj(o -> index.entry(o).id()).toList();
            suspects.add(new LabelIssues.Suspect(e.id(), e.split(), labels.get(v.given()), labels.get(v.suggested()),
                    v.score(), v.support(), votes, ids));
        }
        return new LabelIssues(modelName, version, runId, r.k(), r.margin(), index.count(), suspects);
    }
}
