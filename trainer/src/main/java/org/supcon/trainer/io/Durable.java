package org.supcon.trainer.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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

    /**
     * Replaces {@code target} with {@code data} so that a crash leaves the old file or the new one,
     * never a mix: a temporary {@code <name>.tmp} beside it, fsync, atomic rename, fsync of the
     * directory. A leftover {@code .tmp} is from a write that never completed.
     */
    public static void writeAtomically(Path target, byte[] data) throws IOException {
        Path temp = target.resolveSibling(target.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.wrap(data);
            while (buffer.hasRemaining()) {
                ch.write(buffer);
            }
            ch.force(true);
        }
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        fsyncDirectory(target.getParent());
    }
}
