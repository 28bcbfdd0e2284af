package org.supcon.inference.model;

/**
 * The batching queue of the version is full: REST 429, gRPC RESOURCE_EXHAUSTED. The client may
 * retry later; nothing about the request itself is wrong.
 */
public class OverloadedException extends RuntimeException {

    public OverloadedException(String message) {
        super(message);
    }
}
