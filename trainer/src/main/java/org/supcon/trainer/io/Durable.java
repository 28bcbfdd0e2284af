package org.supcon.trainer.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Making file-system changes survive a crash: what the dataset cache and the model repository share. */
public final class Durable {

    private Durable() {}

    /**
     * Forces a directory's entries (a rename, a new file) to disk. Best effort: directories cannot
     * be opened or forced on some platforms (Windows, some network filesystems).
     */
    public static void fsyncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // not supported here; the data itself was forced already
        }
    }
}
