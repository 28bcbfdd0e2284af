package org.supcon.trainer.dataset;

import java.util.Arrays;
import java.util.Objects;

/**
 * One validated labeled image, ready for the {@link DatasetCache}.
 *
 * @param id the record's stable id; a later sample with the same id replaces this one
 * @param label the class name, e.g. {@code Sneaker}
 * @param pixels uint8 values in CHW-planar order, shape {@code [channels, height, width]} of the
 *     dataset geometry; not copied, so nobody may write to it after construction
 * @param source where the image came from (may be empty)
 * @param split the producer's split hint, {@code train}, {@code validation}, {@code test} or empty
 */
public record Sample(String id, String label, byte[] pixels, String source, String split) {

    public Sample {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(pixels, "pixels");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(split, "split");
    }

    /** Equal when every field is, the pixels compared by content. */
    @Override
    public boolean equals(Object o) {
        return o instanceof Sample s && id.equals(s.id) && label.equals(s.label) && source.equals(s.source)
                && split.equals(s.split) && Arrays.equals(pixels, s.pixels);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, label, source, split, Arrays.hashCode(pixels));
    }

    @Override
    public String toString() {
        return "Sample[id=" + id + ", label=" + label + ", " + pixels.length + " pixel values, source=" + source
                + ", split=" + split + "]";
    }
}
