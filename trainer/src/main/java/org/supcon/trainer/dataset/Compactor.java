package org.supcon.trainer.dataset;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.supcon.trainer.io.Durable;

/**
 * Rewrites the latest entry of every id, in id order, into a new segment and deletes the old
 * ones. The new segment is written under a temporary name, forced and renamed into place before
 * anything is deleted, so a crash leaves either the old segments or the new one (or both, which
 * reads the same: the new entries come last and are equal to the old latest ones).
 */
final class Compactor {

    private static final int CHUNK = 1 << 20;
    private static final System.Logger LOG = System.getLogger(Compactor.class.getName());

    private Compactor() {}

    /** Whether superseded entries take more than half of the segment bytes, so compaction pays. */
    static boolean worthIt(long supersededBytes, long bytes) {
        return supersededBytes * 2 > bytes;
    }

    /**
     * Compacts {@code log} to the entries {@code index} points at.
     *
     * @return where each id of {@code index} lives now
     * @throws IOException if an entry is corrupt or writing fails; the log is as it was then
     */
    static Map<String, Location> compact(SegmentLog log, Map<String, Location> index) throws IOException {
        int number = log.active() + 1;
        int oldSegments = log.segmentCount();
        Path target = log.path(number);
        Path dir = target.getParent();
        Path temp = target.resolveSibling(target.getFileName() + ".tmp");
        List<String> ids = new ArrayList<>(index.keySet());
        Collections.sort(ids);
        Map<String, Location> moved = new HashMap<>();
        long written = 0;
        try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            SegmentLog.Reader reader = log.reader();
            ByteArrayOutputStream chunk = new ByteArrayOutputStream(CHUNK);
            for (String id : ids) {
                Location location = index.get(id);
                // Entries do not refer to their position, so their bytes move as they are.
                reader.copy(location, chunk);
                moved.put(id, location.movedTo(number, written));
                written += location.size();
                if (chunk.size() >= CHUNK) {
                    writeFully(out, chunk.toByteArray());
                    chunk.reset();
                }
            }
            writeFully(out, chunk.toByteArray());
            out.force(true);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        Durable.fsyncDirectory(dir);
        log.replaceAllWith(number);
        LOG.log(System.Logger.Level.INFO, "dataset cache {0}: compacted {1} segment(s) into {2}, {3} samples in {4} bytes",
                dir, oldSegments, target.getFileName(), ids.size(), written);
        return moved;
    }

    private static void writeFully(FileChannel ch, byte[] data) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(data);
        while (buffer.hasRemaining()) {
            ch.write(buffer);
        }
    }
}
