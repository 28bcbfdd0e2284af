package org.supcon.inference.service;

/** A version failed validation; the message says why. It is never served. */
public class ModelRefusedException extends Exception {

    public ModelRefusedException(String message) {
        super(message);
    }

    public ModelRefusedException(String message, Throwable cause) {
        super(message, cause);
    }
}
