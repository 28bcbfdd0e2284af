package org.supcon.trainer.dataset;

import java.util.Objects;

/**
 * The outcome of {@link RecordValidator#validate}: an {@link Accepted} sample for the dataset
 * cache or a {@link Rejected} record for the dead-letter topic, never both, never neither.
 */
public sealed interface Validation permits Validation.Accepted, Validation.Rejected {

    /** The record is good; {@code sample} holds its pixels in the dataset geometry. */
    record Accepted(Sample sample) implements Validation {
        public Accepted {
            Objects.requireNonNull(sample, "sample");
        }
    }

    /** The record goes to the dead-letter topic with {@code reason.code()} and {@code message} in its headers. */
    record Rejected(Reason reason, String message) implements Validation {
        public Rejected {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(message, "message");
        }
    }

    /**
     * Why a record was rejected. {@link #code()} is the stable string for the DLQ header: it never
     * changes once published, whatever the constant is renamed to.
     */
    enum Reason {
        /** The value is null (a tombstone) or not a parseable {@code LabeledImage}. */
        MALFORMED_RECORD("malformed-record"),
        /** The id is empty or blank. */
        MISSING_ID("missing-id"),
        /** The id is too long or contains control characters. */
        INVALID_ID("invalid-id"),
        /** The label is empty or blank. */
        MISSING_LABEL("missing-label"),
        /** The label is too long, contains control characters or has surrounding whitespace. */
        INVALID_LABEL("invalid-label"),
        /** The source is too long or contains control characters, or the split hint is unknown. */
        INVALID_METADATA("invalid-metadata"),
        /** The encoding is unspecified or a value this trainer does not know. */
        UNKNOWN_ENCODING("unknown-encoding"),
        /** A raw image carries another number of bytes than its width, height and channels declare. */
        RAW_SIZE_MISMATCH("raw-size-mismatch"),
        /** Encoded bytes are not a PNG or JPEG, or decoding them failed (truncated, corrupt). */
        UNDECODABLE_IMAGE("undecodable-image"),
        /** The record exceeds the byte limit or the image exceeds the dimension limits. */
        TOO_LARGE("too-large"),
        /** Width, height or channels are invalid (zero, not 1 or 3) or contradict the decoded image. */
        BAD_GEOMETRY("bad-geometry");

        private final String code;

        Reason(String code) {
            this.code = code;
        }

        /** The stable DLQ header value, kebab-case, e.g. {@code raw-size-mismatch}. */
        public String code() {
            return code;
        }

        /** The reason with this {@link #code()}. */
        public static Reason fromCode(String code) {
            for (Reason r : values()) {
                if (r.code.equals(code)) {
                    return r;
                }
            }
            throw new IllegalArgumentException("unknown rejection reason code '" + code + "'");
        }
    }
}
