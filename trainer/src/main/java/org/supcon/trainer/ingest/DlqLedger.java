package org.supcon.trainer.ingest;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.supcon.trainer.io.Durable;

/**
 * The durable record of which source records went to the dead-letter topic: one line per record,
 * {@code <topic> TAB <partition> TAB <offset> TAB <reason code> LF}, appended and forced after the
 * DLQ acknowledged them and before their offsets are saved. It makes the {@code dlq} count exact
 * across restarts, and a record replayed after a crash (or a cache rebuild) that is already here
 * is neither sent nor counted again.
 *
 * <p>A line without its final LF is the tail of a write a crash interrupted; opening drops it
 * (those records were not acknowledged as done, so they come again). Thread-safe.
 */
public final class DlqLedger implements Closeable {

    /** One dead-lettered source record. */
    public record Entry(String topic, int partition, long offset, String reason) {
        public Entry {
            Objects.requireNonNull(topic, "topic");
            Objects.requireNonNull(reason, "reason");
            if (topic.isEmpty() || topic.indexOf('\t') >= 0 || topic.indexOf('\n') >= 0
                    || reason.isEmpty() || reason.indexOf('\t') >= 0 || reason.indexOf('\n') >= 0) {
                throw new IllegalArgumentException("topic '" + topic + "' and reason '" + reason
                        + "' must be non-empty and free of tabs and newlines");
            }
        }
    }

    private final Path file;
    private final FileChannel channel;
    private final Set<String> keys = new HashSet<>();
    private final TreeMap<String, Long> perReason = new TreeMap<>();

    private DlqLedger(Path file, FileChannel channel) {
        this.file = file;
        this.channel = channel;
    }

    /** Opens (or creates) the ledger file and reads it; a torn last line is cut off. */
    public static DlqLedger open(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        boolean created = !Files.exists(file);
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        if (created) {
            Durable.fsyncDirectory(file.toAbsolutePath().getParent());
        }
        DlqLedger ledger = new DlqLedger(file, ch);
        try {
            ledger.load();
            return ledger;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    private void load() throws IOException {
        byte[] all = Files.readAllBytes(file);
        int lineStart = 0;
        int lineNo = 1;
        for (int i = 0; i < all.length; i++) {
            if (all[i] == '\n') {
                String line = new String(all, lineStart, i - lineStart, StandardCharsets.UTF_8);
                String[] f = line.split("\t", -1);
                try {
                    if (f.length != 4) {
                        throw new IllegalArgumentException(f.length + " fields");
                    }
                    remember(new Entry(f[0], Integer.parseInt(f[1]), Long.parseLong(f[2]), f[3]));
                } catch (IllegalArgumentException e) {
                    throw new IOException(file + " line " + lineNo + " is not <topic> TAB <partition> TAB <offset> TAB"
                            + " <reason> (" + e.getMessage() + "); delete the file to count the dead letters afresh"
                            + " (a replay then sends them again)", e);
                }
                lineStart = i + 1;
                lineNo++;
            }
        }
        if (lineStart < all.length) {
            channel.truncate(lineStart);
            channel.force(true);
        }
    }

    private static String key(String topic, int partition, long offset) {
        return topic + '\t' + partition + '\t' + offset;
    }

    private void remember(Entry e) {
        if (keys.add(key(e.topic(), e.partition(), e.offset()))) {
            perReason.merge(e.reason(), 1L, Long::sum);
        }
    }

    /** Whether this source record is already in the dead-letter topic. */
    public synchronized boolean contains(String topic, int partition, long offset) {
        return keys.contains(key(topic, partition, offset));
    }

    /** Appends the entries and forces them to disk; entries already present are skipped. */
    public synchronized void appendAll(Collection<Entry> entries) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Set<String> batch = new HashSet<>();
        for (Entry e : entries) {
            String key = key(e.topic(), e.partition(), e.offset());
            if (!keys.contains(key) && batch.add(key)) {
                out.writeBytes((key + '\t' + e.reason() + '\n').getBytes(StandardCharsets.UTF_8));
            }
        }
        if (out.size() == 0) {
            return;
        }
        long start = channel.size();
        ByteBuffer buffer = ByteBuffer.wrap(out.toByteArray());
        try {
            long pos = start;
            while (buffer.hasRemaining()) {
                pos += channel.write(buffer, pos);
            }
            channel.force(true);
        } catch (IOException e) {
            try {
                channel.truncate(start);
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        entries.forEach(this::remember);
    }

    /** Records dead-lettered, each counted once. */
    public synchronized long total() {
        return keys.size();
    }

    /** Records dead-lettered per reason code. */
    public synchronized SortedMap<String, Long> perReason() {
        return Collections.unmodifiableSortedMap(new TreeMap<>(perReason));
    }

    public Path file() {
        return file;
    }

    @Override
    public synchronized void close() throws IOException {
        channel.close();
    }
}
