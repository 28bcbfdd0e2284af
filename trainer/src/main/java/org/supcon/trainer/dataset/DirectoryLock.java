package org.supcon.trainer.dataset;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** The exclusive lock on {@code dir/.lock} that makes one {@code DatasetCache} the only writer. */
record DirectoryLock(Path dir, FileChannel channel, FileLock lock) implements Closeable {

    static final String FILE = ".lock";

    /** @throws IOException if the directory is locked already, in this process or another */
    static DirectoryLock acquire(Path dir) throws IOException {
        FileChannel channel = FileChannel.open(dir.resolve(FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            channel.close();
            throw new IOException("dataset cache " + dir + " is already open in this process");
        }
        if (lock == null) {
            channel.close();
            throw new IOException("dataset cache " + dir + " is open in another process (" + dir.resolve(FILE)
                    + " is locked)");
        }
        return new DirectoryLock(dir, channel, lock);
    }

    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }
}
