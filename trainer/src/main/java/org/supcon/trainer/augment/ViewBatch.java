package org.supcon.trainer.augment;

import java.util.Objects;
import org.supcon.trainer.images.ImageGeometry;

/**
 * One batch of {@code batchSize} images, each seen in {@code views} augmented views.
 *
 * <p>{@code data} has shape {@code [views * batchSize, C, H, W]} in VIEW-MAJOR order: first all
 * images of view 0, then all of view 1, ...; image {@code b} of view {@code v} starts at
 * {@code (v * batchSize + b) * geometry.pixels()} (see {@link #offset}). Values are raw pixel
 * values 0..255 as floats. {@code labels} has {@code batchSize} entries, shared by all views, so the
 * labels of row {@code r} of {@code data} are {@code labels[r % batchSize]}.
 *
 * @param index position of this batch in its epoch, from 0
 */
public record ViewBatch(float[] data, int[] labels, int batchSize, int views, ImageGeometry geometry, int index) {

    public ViewBatch {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(labels, "labels");
        Objects.requireNonNull(geometry, "geometry");
        if (batchSize <= 0 || views <= 0) {
            throw new IllegalArgumentException("batchSize and views must be positive, got " + batchSize + ", " + views);
        }
        if (labels.length != batchSize) {
            throw new IllegalArgumentException("expected " + batchSize + " labels, got " + labels.length);
        }
        long expected = (long) views * batchSize * geometry.pixels();
        if (data.length != expected) {
            throw new IllegalArgumentException("expected data of shape [" + views * batchSize + ", "
                    + geometry.channels() + ", " + geometry.height() + ", " + geometry.width() + "] = " + expected
                    + " floats, got " + data.length);
        }
        if (index < 0) {
            throw new IllegalArgumentException("index must be >= 0, got " + index);
        }
    }

    /** Where image {@code b} of view {@code view} starts in {@link #data()}. */
    public int offset(int view, int b) {
        Objects.checkIndex(view, views);
        Objects.checkIndex(b, batchSize);
        return (view * batchSize + b) * geometry.pixels();
    }

    /** Shape of {@link #data()} for the model: {@code [views * batchSize, C, H, W]}. */
    public long[] shape() {
        return new long[] {(long) views * batchSize, geometry.channels(), geometry.height(), geometry.width()};
    }
}
