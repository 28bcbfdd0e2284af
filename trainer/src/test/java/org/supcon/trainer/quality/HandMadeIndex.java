package org.supcon.trainer.quality;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.supcon.common.index.IndexEntry;
import org.supcon.common.index.VectorIndex;
import org.supcon.common.index.VectorIndexWriter;

/** A real vector index of vectors written by hand, for analyses whose answer is known. */
final class HandMadeIndex {

    private final List<IndexEntry> entries = new ArrayList<>();
    private final List<float[]> vectors = new ArrayList<>();
    private final int dimension;

    HandMadeIndex(int dimension) {
        this.dimension = dimension;
    }

    /** Adds a sample; returns its ordinal. */
    int add(String id, int label, String split, float... vector) {
        if (vector.length != dimension) {
            throw new IllegalArgumentException(id + " has " + vector.length + " values, not " + dimension);
        }
        entries.add(new IndexEntry(id, label, split));
        vectors.add(vector);
        return entries.size() - 1;
    }

    /** A unit vector at {@code degrees} in the plane of axes {@code x} and {@code y}. */
    float[] at(int x, int y, double degrees) {
        float[] v = new float[dimension];
        v[x] = (float) Math.cos(Math.toRadians(degrees));
        v[y] = (float) Math.sin(Math.toRadians(degrees));
        return v;
    }

    VectorIndex write(Path dir) throws IOException {
        float[] flat = new float[entries.size() * dimension];
        for (int i = 0; i < vectors.size(); i++) {
            System.arraycopy(vectors.get(i), 0, flat, i * dimension, dimension);
        }
        Path file = dir.resolve(VectorIndex.FILE);
        VectorIndexWriter.write(file, dimension, entries, flat);
        return VectorIndex.open(file);
    }
}
