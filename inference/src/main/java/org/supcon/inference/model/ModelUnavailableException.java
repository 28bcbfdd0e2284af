package org.supcon.inference.model;

/** No model (or not the requested version) is loaded: REST 503 / 404, gRPC UNAVAILABLE / NOT_FOUND. */
public class ModelUnavailableException extends RuntimeException {

    public ModelUnavailableException(String message) {
        super(message);
    }
}
