package org.supcon.inference.service;

/** A search asked a version that was published without a vector index: REST 404, gRPC NOT_FOUND. */
public class NoIndexException extends VersionNotFoundException {

    public NoIndexException(String message) {
        super(message);
    }
}
