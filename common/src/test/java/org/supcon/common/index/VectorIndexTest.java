package org.supcon.common.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.supcon.common.repository.ModelCard;

class VectorIndexTest {

    /** Clustered unit vectors: {@code classes} centres, each sample a noisy copy of its class centre. */
    static float[] clustered(int n, int dim, int classes, long seed, int[] labelsOut) {
        Random r = new Random(seed);
        float[][] centres = new float[classes][dim];
        for (float[] c : centres) {
            for (int d = 0; d < dim; d++) {
                c[d] = (float) r.nextGaussian();
            }
        }
        float[] v = new float[n * dim];
        for (int i = 0; i < n; i++) {
            int c = i % classes;
            labelsOut[i] = c;
            for (int d = 0; d < dim; d++) {
                v[i * dim + d] = centres[c][d] + 0.8f * (float) r.nextGaussian();
            }
        }
        return v;
    }

    static List<IndexEntry> entries(int[] labels) {
        List<IndexEntry> e = new ArrayList<>();
        for (int i = 0; i < labels.length; i++) {
            e.add(new IndexEntry("s" + i, labels[i], i % 7 == 0 ? "test" : "train"));
        }
        return e;
    }

    @Test
    void roundTripKeepsIdsLabelsSplitsAndFindsEachVectorFirst(@TempDir Path dir) throws IOException {
        int n = 2000;
        int dim = 32;
        int[] labels = new int[n];
        float[] v = clustered(n, dim, 5, 1, labels);
        Path file = dir.resolve(VectorIndex.FILE);
        VectorIndexWriter.Written w = VectorIndexWriter.write(file, dim, entries(labels), v);
        assertEquals(n, w.card().count());
        assertEquals(dim, w.card().dimension());
        assertEquals(Files.size(file), w.card().sizeBytes());
        try (VectorIndex index = VectorIndex.load(file, w.card(), dim)) {
            assertEquals(n, index.count());
            assertEquals(new IndexEntry("s14", labels[14], "test"), index.entry(14));
            for (int i : new int[] {0, 14, 999, 1999}) {
                float[] q = new float[dim];
                System.arraycopy(v, i * dim, q, 0, dim);
                Neighbour best = index.exactSearch(q, 1, -1).get(0);
                assertEquals("s" + i, best.id());
                assertEquals(1.0f, best.score(), 1e-5f);
                assertEquals("s" + i, index.search(q, 1, -1, 50).get(0).id());
                // itself excluded: the nearest other sample, which is not i
                List<Neighbour> others = index.neighboursOf(i, 5, true, 50);
                assertEquals(5, others.size());
                assertTrue(others.stream().noneMatch(x -> x.ordinal() == best.ordinal()));
            }
        }
    }

    @Test
    void hnswRecallAgainstExactIsHighAndScoresAreCosines(@TempDir Path dir) throws IOException {
        int n = 5000;
        int dim = 64;
        // the last 100 samples are held out as queries: drawn like the gallery, as test images are
        int[] all = new int[n + 100];
        float[] v = clustered(n + 100, dim, 10, 2, all);
        Path file = dir.resolve(VectorIndex.FILE);
        VectorIndexWriter.Written w = VectorIndexWriter.write(file, dim, entries(java.util.Arrays.copyOf(all, n)),
                java.util.Arrays.copyOf(v, n * dim));
        int hits = 0;
        int total = 0;
        try (VectorIndex index = VectorIndex.load(file, w.card(), dim)) {
            for (int t = 0; t < 100; t++) {
                float[] q = new float[dim];
                System.arraycopy(v, (n + t) * dim, q, 0, dim);
                List<Neighbour> exact = index.exactSearch(q, 10, -1);
                List<Neighbour> approx = index.search(q, 10, -1, 100);
                assertEquals(10, approx.size());
                Set<Integer> truth = new HashSet<>();
                exact.forEach(x -> truth.add(x.ordinal()));
                for (Neighbour a : approx) {
                    hits += truth.contains(a.ordinal()) ? 1 : 0;
                    // the score is the cosine of the query and the stored vector
                    float[] u = index.vector(a.ordinal());
                    double dot = 0;
                    double qq = 0;
                    for (int d = 0; d < dim; d++) {
                        dot += q[d] * u[d];
                        qq += q[d] * q[d];
                    }
                    assertEquals(dot / Math.sqrt(qq), a.score(), 1e-4);
                }
                total += 10;
                for (int i = 1; i < exact.size(); i++) {
                    assertTrue(exact.get(i - 1).score() >= exact.get(i).score());
                }
            }
        }
        assertTrue(hits >= 0.95 * total, "recall@10 " + hits + "/" + total);
    }

    @Test
    void minScoreKeepsOnlyCloseNeighbours(@TempDir Path dir) throws IOException {
        int dim = 4;
        float[] v = {1, 0, 0, 0, 0.99f, 0.1f, 0, 0, 0, 1, 0, 0, -1, 0, 0, 0};
        Path file = dir.resolve(VectorIndex.FILE);
        VectorIndexWriter.Written w = VectorIndexWriter.write(file, dim, entries(new int[] {0, 0, 1, 1}), v);
        try (VectorIndex index = VectorIndex.load(file, w.card(), dim)) {
            float[] q = {2, 0, 0, 0}; // not unit: scaled
            assertEquals(List.of("s0", "s1"), index.exactSearch(q, 10, 0.98f).stream().map(Neighbour::id).toList());
            assertEquals(List.of("s0", "s1"), index.search(q, 10, 0.98f, 10).stream().map(Neighbour::id).toList());
            assertEquals(4, index.exactSearch(q, 10, -1).size());
            assertEquals(-1f, index.exactSearch(q, 10, -1).get(3).score(), 1e-6f);
        }
    }

    @Test
    void badQueriesAreRefusedWithTheProblemNamed(@TempDir Path dir) throws IOException {
        Path file = dir.resolve(VectorIndex.FILE);
        VectorIndexWriter.Written w = VectorIndexWriter.write(file, 3, entries(new int[] {0, 1}), new float[] {1, 0, 0, 0, 1, 0});
        try (VectorIndex index = VectorIndex.load(file, w.card(), 3)) {
            assertTrue(assertThrows(IllegalArgumentException.class, () -> index.search(new float[2], 1, -1, 10))
                    .getMessage().contains("has 2 values; this index holds vectors of 3"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> index.exactSearch(new float[] {1, Float.NaN, 0}, 1, -1))
                    .getMessage().contains("value 1 is NaN"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> index.search(new float[3], 1, -1, 10))
                    .getMessage().contains("all zeros"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> index.search(new float[] {1, 0, 0}, 0, -1, 10))
                    .getMessage().contains("k must be at least 1"));
        }
    }

    @Test
    void anIndexThatDoesNotMatchItsCardIsRefused(@TempDir Path dir) throws IOException {
        Path file = dir.resolve(VectorIndex.FILE);
        int[] labels = new int[50];
        float[] v = clustered(50, 8, 2, 4, labels);
        VectorIndexCard card = VectorIndexWriter.write(file, 8, entries(labels), v).card();
        // the model's embedding is of another size
        assertTrue(assertThrows(InvalidIndexException.class, () -> VectorIndex.load(file, card, 16)).getMessage()
                .contains("not the model's embedding size 16"));
        // the card claims another count (checksum and size right)
        VectorIndexCard wrongCount = new VectorIndexCard(card.file(), card.sha256(), card.sizeBytes(), 51, 8, card.metric(),
                card.engine());
        assertTrue(assertThrows(InvalidIndexException.class, () -> VectorIndex.load(file, wrongCount, 8)).getMessage()
                .contains("holds 50 vectors, the card says 51"));
        // one flipped byte
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length / 2] ^= 1;
        Files.write(file, bytes);
        assertTrue(assertThrows(InvalidIndexException.class, () -> VectorIndex.load(file, card, 8)).getMessage()
                .contains("has sha256"));
        // garbage that passes no checksum test: open() without a card still refuses it, naming why
        Files.writeString(file, "not an index");
        assertTrue(assertThrows(InvalidIndexException.class, () -> VectorIndex.open(file)).getMessage()
                .contains("not a zip of Lucene files"));
        Files.delete(file);
        assertTrue(assertThrows(InvalidIndexException.class, () -> VectorIndex.load(file, card, 8)).getMessage()
                .contains("cannot read index"));
    }

    @Test
    void widerThanLucenesDefaultLimitForResNet50Embeddings(@TempDir Path dir) throws IOException {
        int dim = 2048;
        int[] labels = new int[40];
        float[] v = clustered(40, dim, 2, 5, labels);
        Path file = dir.resolve(VectorIndex.FILE);
        VectorIndexCard card = VectorIndexWriter.write(file, dim, entries(labels), v).card();
        try (VectorIndex index = VectorIndex.load(file, card, dim)) {
            assertEquals("s7", index.search(index.vector(7), 1, -1, 10).get(0).id());
        }
    }

    @Test
    void theCardCarriesTheIndexAndACardWithoutOneStillReads(@TempDir Path dir) throws IOException {
        Path file = dir.resolve(VectorIndex.FILE);
        VectorIndexCard index = VectorIndexWriter.write(file, 3, entries(new int[] {0, 1}), new float[] {1, 0, 0, 0, 1, 0}).card();
        String sha = "a".repeat(64);
        ModelCard with = new ModelCard("m", 1, List.of("a", "b"), null, null, sha, 10, "2026-01-01T00:00:00Z", 1, 2, 2, null,
                index);
        assertEquals(with, ModelCard.fromJson(with.toJson()));
        ModelCard without = new ModelCard("m", 1, List.of("a", "b"), null, null, sha, 10, "2026-01-01T00:00:00Z", 1, 2, 2,
                null);
        assertTrue(!new String(without.toJson()).contains("\"index\""));
        assertEquals(without, ModelCard.fromJson(without.toJson()));
        assertEquals(index, with.withVersion(2).index());
    }
}
