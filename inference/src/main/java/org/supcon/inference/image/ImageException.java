package org.supcon.inference.image;

/**
 * An uploaded image cannot be used. {@link Kind} tells the APIs which status to answer: undecodable
 * images are bad requests (400 / INVALID_ARGUMENT), unsupported formats 415, too large ones 413 /
 * RESOURCE_EXHAUSTED... the message names the problem and the image.
 */
public class ImageException extends RuntimeException {

    public enum Kind {
        /** Not a readable PNG or JPEG (corrupt, truncated, empty, not an image). */
        UNDECODABLE,
        /** An image, but not PNG or JPEG. */
        UNSUPPORTED_FORMAT,
        /** Width or height over {@code inference.limits.max-dimension}. */
        TOO_LARGE
    }

    private final Kind kind;

    public ImageException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public ImageException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
