package org.supcon.inference.oip;

/**
 * A request the Open Inference Protocol edges refuse, with the message sent to the client. The
 * kind decides the gRPC status code and the HTTP status of the {@code {"error": "..."}} answer.
 */
public final class OipException extends RuntimeException {

    /** gRPC status code name and HTTP status of each kind of refusal. */
    public enum Kind {
        /** Wrong shape, datatype, data length, names, malformed JSON. */
        INVALID_ARGUMENT("INVALID_ARGUMENT", 400),
        /** Unknown model name or version. */
        NOT_FOUND("NOT_FOUND", 404),
        /** A batch over the configured maximum: retrying the same request never helps. */
        TOO_LARGE("RESOURCE_EXHAUSTED", 413),
        /** The batching queue is full: retry later. */
        OVERLOADED("RESOURCE_EXHAUSTED", 429),
        /** No model version is loaded (yet). */
        UNAVAILABLE("UNAVAILABLE", 503);

        public final String grpcCode;
        public final int httpStatus;

        Kind(String grpcCode, int httpStatus) {
            this.grpcCode = grpcCode;
            this.httpStatus = httpStatus;
        }
    }

    private final Kind kind;

    public OipException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    public static OipException invalid(String message) {
        return new OipException(Kind.INVALID_ARGUMENT, message);
    }

    public static OipException notFound(String message) {
        return new OipException(Kind.NOT_FOUND, message);
    }

    public static OipException tooLarge(String message) {
        return new OipException(Kind.TOO_LARGE, message);
    }

    public static OipException overloaded(String message) {
        return new OipException(Kind.OVERLOADED, message);
    }

    public static OipException unavailable(String message) {
        return new OipException(Kind.UNAVAILABLE, message);
    }
}
