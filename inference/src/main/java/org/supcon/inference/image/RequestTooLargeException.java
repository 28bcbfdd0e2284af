package org.supcon.inference.image;

/** A request over a size, count or dimension limit: REST 413, gRPC RESOURCE_EXHAUSTED. */
public class RequestTooLargeException extends RuntimeException {

    public RequestTooLargeException(String message) {
        super(message);
    }
}
