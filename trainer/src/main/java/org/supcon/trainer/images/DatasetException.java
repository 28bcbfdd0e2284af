package org.supcon.trainer.images;

import java.io.IOException;

/** A dataset could not be read: missing, truncated, malformed or inconsistent input. */
public class DatasetException extends IOException {

    private static final long serialVersionUID = 1L;

    public DatasetException(String message) {
        super(message);
    }

    public DatasetException(String message, Throwable cause) {
        super(message, cause);
    }
}
