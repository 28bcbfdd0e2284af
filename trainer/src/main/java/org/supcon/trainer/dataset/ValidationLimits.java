package org.supcon.trainer.dataset;

import java.util.Objects;
import org.supcon.trainer.images.ImageGeometry;

/**
 * What {@link RecordValidator} accepts and what it produces.
 *
 * @param maxBytes largest record value (the serialized protobuf), in bytes, positive
 * @param maxWidth widest image accepted, in pixels, positive; checked from the image header before
 *     a full decode, so an oversized PNG or JPEG never gets decompressed
 * @param maxHeight tallest image accepted, in pixels, positive
 * @param target the dataset geometry every accepted image is converted to, e.g. {@code 1x28x28}
 */
public record ValidationLimits(int maxBytes, int maxWidth, int maxHeight, ImageGeometry target) {

    public ValidationLimits {
        Objects.requireNonNull(target, "target");
        if (maxBytes <= 0 || maxWidth <= 0 || maxHeight <= 0) {
            throw new IllegalArgumentException("maxBytes, maxWidth and maxHeight must be positive, got "
                    + maxBytes + ", " + maxWidth + ", " + maxHeight);
        }
    }

    /** 8 MiB records, images up to 2048x2048, converted to {@code target}. */
    public static ValidationLimits defaults(ImageGeometry target) {
        return new ValidationLimits(8 << 20, 2048, 2048, target);
    }
}
