package org.supcon.common.index;

import java.io.IOException;

/** An index file that cannot be served: wrong checksum, size, count or dimension, or unreadable. */
public final class InvalidIndexException extends IOException {
    public InvalidIndexException(String message) {
        super(message);
    }

    public InvalidIndexException(String message, Throwable cause) {
        super(message, cause);
    }
}
