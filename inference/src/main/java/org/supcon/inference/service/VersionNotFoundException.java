package org.supcon.inference.service;

/** A requested version is not loaded (never published, refused, or pushed out): REST 404, gRPC NOT_FOUND. */
public class VersionNotFoundException extends RuntimeException {

    public VersionNotFoundException(String message) {
        super(message);
    }
}
