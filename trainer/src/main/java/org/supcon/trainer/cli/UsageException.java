package org.supcon.trainer.cli;

/** A command line that cannot be run; the message names the problem. */
public class UsageException extends RuntimeException {
    public UsageException(String message) {
        super(message);
    }
}
