package org.supcon.trainer.repository;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Points between the steps of {@link ModelRepository#publish}; tests throw from them to simulate
 * a crash at that point. Production uses {@link #NONE}.
 */
interface PublishHooks {

    PublishHooks NONE = new PublishHooks() {};

    default void afterModelWritten(Path tempDir) throws IOException {}

    /** Called on every attempt, after the card for {@code candidateVersion} is in the temp dir. */
    default void afterCardWritten(Path tempDir, long candidateVersion) throws IOException {}

    default void beforeRename(Path tempDir, Path target) throws IOException {}

    /** The version is published at this point: the rename is the commit. */
    default void afterRename(Path versionDir) throws IOException {}
}
