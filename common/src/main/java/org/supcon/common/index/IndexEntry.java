package org.supcon.common.index;

import java.util.Objects;

/**
 * One sample in a vector index: its dataset id, its label (an index into the model's labels) and
 * the split it belongs to ({@code train}, {@code validation} or {@code test}).
 */
public record IndexEntry(String id, int label, String split) {

    /** The split names a trainer writes. */
    public static final String TRAIN = "train";
    public static final String VALIDATION = "validation";
    public static final String TEST = "test";

    public IndexEntry {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(split, "split");
        if (label < 0) {
            throw new IllegalArgumentException("label of " + id + " must not be negative, got " + label);
        }
    }
}
