package org.supcon.trainer.quality;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.supcon.common.index.IndexEntry;
import org.supcon.common.index.Neighbour;
import org.supcon.common.index.VectorIndex;

/**
 * Near-duplicates in a vector index: every sample is searched (HNSW) for at most {@code k} others
 * with cosine at or above the threshold; the pairs found are joined transitively (union-find)
 * into groups. Pairs with one sample in the test split and the other in train or validation are
 * called out: they leak test images into what the model learnt from.
 */
public final class DuplicateSearch {

    /** Two near-duplicate samples by ordinal, {@code a < b}. */
    public record Pair(int a, int b, float score) {}

    /** Ordinals joined by pairs (ascending), and the lowest similarity of those pairs. */
    public record Group(int[] members, float minScore) {}

    /**
     * @param groups groups of two or more samples, largest first, ties by their first ordinal
     * @param pairs every pair found, most similar first
     * @param crossSplit the pairs between test and train or validation, most similar first
     */
    public record Result(double threshold, List<Group> groups, List<Pair> pairs, List<Pair> crossSplit) {}

    private DuplicateSearch() {}

    /**
     * Finds the near-duplicates of {@code index}.
     *
     * @param threshold cosine at or above which two samples are near-duplicates
     * @param k at most this many near-duplicates searched per sample, which bounds the cost
     * @param candidates the HNSW search's queue size (at least {@code k + 1})
     */
    public static Result run(VectorIndex index, double threshold, int k, int candidates) {
        if (k < 1) {
            throw new IllegalArgumentException("k must be at least 1, got " + k);
        }
        int n = index.count();
        List<List<Neighbour>> hits = IntStream.range(0, n).parallel()
                .mapToObj(o -> index.search(index.vector(o), k + 1, (float) threshold, Math.max(k + 1, candidates)))
                .toList();
        // each pair may be found from both sides
        Map<Long, Pair> found = new HashMap<>();
        for (int o = 0; o < n; o++) {
            for (Neighbour h : hits.get(o)) {
                if (h.ordinal() == o) {
                    continue;
                }
                int a = Math.min(o, h.ordinal());
                int b = Math.max(o, h.ordinal());
                found.merge((long) a * n + b, new Pair(a, b, h.score()), (x, y) -> x.score() >= y.score() ? x : y);
            }
        }
        List<Pair> pairs = new ArrayList<>(found.values());
        Comparator<Pair> bySimilarity = Comparator.comparingDouble((Pair p) -> -p.score()).thenComparingInt(Pair::a)
                .thenComparingInt(Pair::b);
        pairs.sort(bySimilarity);

        int[] parent = IntStream.range(0, n).toArray();
        for (Pair p : pairs) {
            parent[root(parent, p.a())] = root(parent, p.b());
        }
        Map<Integer, List<Integer>> byRoot = new HashMap<>();
        Map<Integer, Float> lowest = new HashMap<>();
        for (Pair p : pairs) {
            int r = root(parent, p.a());
            byRoot.computeIfAbsent(r, x -> new ArrayList<>()).addAll(List.of(p.a(), p.b()));
            lowest.merge(r, p.score(), Math::min);
        }
        List<Group> groups = new ArrayList<>();
        byRoot.forEach((r, members) -> groups.add(new Group(
                members.stream().mapToInt(Integer::intValue).distinct().sorted().toArray(), lowest.get(r))));
        groups.sort(Comparator.comparingInt((Group g) -> -g.members().length).thenComparingInt(g -> g.members()[0]));

        List<Pair> crossSplit = pairs.stream().filter(p -> crossesTest(index.entry(p.a()), index.entry(p.b()))).toList();
        return new Result(threshold, List.copyOf(groups), List.copyOf(pairs), crossSplit);
    }

    private static boolean crossesTest(IndexEntry x, IndexEntry y) {
        return IndexEntry.TEST.equals(x.split()) != IndexEntry.TEST.equals(y.split());
    }

    private static int root(int[] parent, int o) {
        while (parent[o] != o) {
            parent[o] = parent[parent[o]];
            o = parent[o];
        }
        return o;
    }

    /** The groups and leaks as {@value NearDuplicates#FILE} names them: ids, splits, label names. */
    public static NearDuplicates nearDuplicates(Result r, VectorIndex index, List<String> labels, String modelName,
            Long version, String runId) {
        List<NearDuplicates.Group> groups = new ArrayList<>(r.groups().size());
        for (Group g : r.groups()) {
            List<NearDuplicates.Member> members = new ArrayList<>();
            for (int o : g.members()) {
                IndexEntry e = index.entry(o);
                members.add(new NearDuplicates.Member(e.id(), e.split(), labels.get(e.label())));
            }
            groups.add(new NearDuplicates.Group(members, g.minScore()));
        }
        List<NearDuplicates.Pair> leaks = new ArrayList<>(Math.min(r.crossSplit().size(), NearDuplicates.MAX_LISTED_PAIRS));
        for (Pair p : r.crossSplit().subList(0, Math.min(r.crossSplit().size(), NearDuplicates.MAX_LISTED_PAIRS))) {
            IndexEntry x = index.entry(p.a());
            IndexEntry y = index.entry(p.b());
            IndexEntry train = IndexEntry.TEST.equals(x.split()) ? y : x;
            IndexEntry test = IndexEntry.TEST.equals(x.split()) ? x : y;
            leaks.add(new NearDuplicates.Pair(train.id(), test.id(), p.score(), labels.get(train.label()),
                    labels.get(test.label())));
        }
        return new NearDuplicates(modelName, version, runId, r.threshold(), index.count(), groups, leaks,
                r.crossSplit().size());
    }
}
