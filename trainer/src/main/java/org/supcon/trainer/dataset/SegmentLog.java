package org.supcon.trainer.dataset;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.supcon.trainer.dataset.EntryCodec.Entry;
import org.supcon.trainer.dataset.EntryCodec.Header;
import org.supcon.trainer.io.Durable;

/**
 * The {@code segment-NNNNNN.log} files of a cache directory: append-only entries in the {@link
 * EntryCodec} format, read in segment-number order, later entries winning. Only the
 * highest-numbered (active) segment is appended to; an append returns after {@code fsync}.
 *
 * <p>Torn-tail recovery: opening scans every segment. A damaged tail of the active segment (a
 * partial entry or a CRC mismatch with nothing valid after it, left by a crash mid-write of a batch
 * that was never acknowledged) is truncated, logged and counted in {@link #recoveredTornBytes()}.
 * Damage followed by valid entries, or in an older segment, is real corruption: opening fails with
 * an {@link IOException} naming file and offset.
 */
final class SegmentLog implements Closeable {

    private static final Pattern SEGMENT = Pattern.compile("segment-(\\d{6})\\.log");
    private static final System.Logger LOG = System.getLogger(SegmentLog.class.getName());

    private final Path dir;
    private final EntryCodec codec;
    /** Segment number to its channel; the last one is appended to. */
    private final TreeMap<Integer, FileChannel> segments = new TreeMap<>();
    private long bytes;
    private long recoveredTornBytes;
    private boolean broken;

    private SegmentLog(Path dir, EntryCodec codec) {
        this.dir = dir;
        this.codec = codec;
    }

    /**
     * Opens the segments of {@code dir} (creating segment 1 if there is none), recovers a torn tail
     * of the last one, and hands the id and location of every valid entry to {@code visitor} in log
     * order.
     *
     * @throws IOException if a segment is corrupt before its tail (the message names file and offset)
     */
    static SegmentLog open(Path dir, EntryCodec codec, BiConsumer<String, Location> visitor) throws IOException {
        SegmentLog log = new SegmentLog(dir, codec);
        try {
            List<Integer> numbers = numbers(dir);
            if (numbers.isEmpty()) {
                numbers = List.of(1);
            }
            for (int i = 0; i < numbers.size(); i++) {
                int n = numbers.get(i);
                boolean last = i == numbers.size() - 1;
                Path file = log.path(n);
                boolean created = !Files.exists(file);
                FileChannel ch = last
                        ? FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE)
                        : FileChannel.open(file, StandardOpenOption.READ);
                log.segments.put(n, ch);
                if (created) {
                    Durable.fsyncDirectory(dir);
                }
                log.scan(n, ch, last, visitor);
            }
            return log;
        } catch (IOException | RuntimeException e) {
            log.close();
            throw e;
        }
    }

    /** The numbers of the segment files in {@code dir}, ascending. */
    static List<Integer> numbers(Path dir) throws IOException {
        List<Integer> numbers = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, "segment-*.log")) {
            for (Path p : stream) {
                Matcher m = SEGMENT.matcher(p.getFileName().toString());
                if (m.matches()) {
                    numbers.add(Integer.parseInt(m.group(1)));
                }
            }
        }
        Collections.sort(numbers);
        return numbers;
    }

    /** Whether {@code name} is the name of a segment file. */
    static boolean isSegment(String name) {
        return SEGMENT.matcher(name).matches();
    }

    Path path(int number) {
        return dir.resolve(String.format(Locale.ROOT, "segment-%06d.log", number));
    }

    // ---------------------------------------------------------------- scanning

    private void scan(int number, FileChannel ch, boolean last, BiConsumer<String, Location> visitor) throws IOException {
        Path file = path(number);
        long size = ch.size();
        Window w = new Window(ch, size);
        long pos = 0;
        while (pos < size) {
            Entry r = read(w, pos, false);
            if (r.problem() != null) {
                long valid = nextValidEntry(w, pos + 1);
                if (valid >= 0) {
                    throw new IOException("dataset cache segment " + file + " is corrupt at offset " + pos + ": "
                            + r.problem() + ", yet a valid entry follows at offset " + valid
                            + "; delete " + dir + " and replay the topic to rebuild it");
                }
                if (!last) {
                    throw new IOException("dataset cache segment " + file + " is corrupt at offset " + pos + ": "
                            + r.problem() + ", and it is not the last segment; delete " + dir
                            + " and replay the topic to rebuild it");
                }
                long torn = size - pos;
                ch.truncate(pos);
                ch.force(true);
                recoveredTornBytes += torn;
                LOG.log(System.Logger.Level.WARNING, "dataset cache segment {0}: truncated a torn tail of {1} bytes at"
                        + " offset {2} ({3}); an interrupted write left it, and its records were never acknowledged,"
                        + " so Kafka delivers them again", file, torn, pos, r.problem());
                size = pos;
                break;
            }
            visitor.accept(r.id(), new Location(number, pos, r.size(), r.crc(), r.label(), r.split()));
            pos += r.size();
        }
        bytes += size;
    }

    /** Offset of the first valid entry at or after {@code from}, or -1. */
    private long nextValidEntry(Window w, long from) throws IOException {
        byte m0 = (byte) (EntryCodec.MAGIC >>> 24);
        for (long q = from; q + EntryCodec.HEADER <= w.size; q++) {
            if (w.buf[w.at(q, 1)] == m0 && read(w, q, false).problem() == null) {
                return q;
            }
        }
        return -1;
    }

    /** The entry at {@code pos}, or a problem; reads through {@code w}. */
    private Entry read(Window w, long pos, boolean withPixels) throws IOException {
        long left = w.size - pos;
        if (left < EntryCodec.HEADER) {
            return Entry.problem("only " + left + " bytes left, an entry header needs " + EntryCodec.HEADER);
        }
        Header header = codec.header(w.buf, w.at(pos, EntryCodec.HEADER), left);
        if (header.problem() != null) {
            return Entry.problem(header.problem());
        }
        return codec.decode(w.buf, w.at(pos, header.size()), header, withPixels);
    }

    // ---------------------------------------------------------------- writing

    /** The number of the segment that {@link #append} writes to. */
    int active() {
        return segments.lastKey();
    }

    /** Where the next {@link #append} starts in the active segment. */
    long end() throws IOException {
        return segments.lastEntry().getValue().size();
    }

    /**
     * Writes {@code data} (whole entries) at {@link #end()} and forces it to disk. On failure it
     * cuts the segment back to where it was; if even that fails, the log is {@link #broken()}.
     */
    void append(byte[] data) throws IOException {
        FileChannel ch = segments.lastEntry().getValue();
        long start = ch.size();
        try {
            ByteBuffer buffer = ByteBuffer.wrap(data);
            long pos = start;
            while (buffer.hasRemaining()) {
                pos += ch.write(buffer, pos);
            }
            ch.force(true);
        } catch (IOException | RuntimeException e) {
            try {
                ch.truncate(start);
                ch.force(true);
            } catch (IOException | RuntimeException cleanup) {
                // A partial entry followed by new ones would read as mid-file corruption on the next open.
                broken = true;
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        bytes += data.length;
    }

    /** True once a failed append left partial bytes it could not remove; reopening truncates them. */
    boolean broken() {
        return broken;
    }

    /**
     * Makes segment {@code number}, already complete and durable in the directory, the only one:
     * closes and deletes the others. A segment that cannot be deleted is logged and left; it holds
     * older entries, which the new segment's entries override when read after them.
     */
    void replaceAllWith(int number) throws IOException {
        FileChannel active = FileChannel.open(path(number), StandardOpenOption.READ, StandardOpenOption.WRITE);
        Map<Integer, FileChannel> old = new TreeMap<>(segments);
        segments.clear();
        segments.put(number, active);
        bytes = active.size();
        for (Map.Entry<Integer, FileChannel> e : old.entrySet()) {
            try {
                e.getValue().close();
                Files.delete(path(e.getKey()));
            } catch (IOException failure) {
                LOG.log(System.Logger.Level.WARNING, "dataset cache {0}: could not delete {1} after compaction: {2}",
                        dir, path(e.getKey()), failure.toString());
            }
        }
        Durable.fsyncDirectory(dir);
    }

    // ---------------------------------------------------------------- reading

    /** The entry at {@code location}, checked; for random reads. */
    Entry read(Location location, boolean withPixels) throws IOException {
        return read(entryWindow(location), location.offset(), withPixels);
    }

    /** The payload bytes of the entry at {@code location}, checked. */
    byte[] payload(Location location) throws IOException {
        Window w = entryWindow(location);
        int at = w.at(location.offset(), location.size());
        return Arrays.copyOfRange(w.buf, at + EntryCodec.HEADER, at + location.size());
    }

    /** A window over exactly the entry at {@code location}, checked; its bytes start at index 0. */
    private Window entryWindow(Location location) throws IOException {
        Window w = new Window(segments.get(location.segment()), location.offset() + location.size(), location.size());
        Entry r = read(w, location.offset(), false);
        if (r.problem() != null) {
            throw corrupt(location, r.problem());
        }
        return w;
    }

    /** A reader for many entries in roughly file order, as a snapshot or a compaction reads them. */
    Reader reader() throws IOException {
        Map<Integer, Window> windows = new HashMap<>();
        for (Map.Entry<Integer, FileChannel> e : segments.entrySet()) {
            windows.put(e.getKey(), new Window(e.getValue(), e.getValue().size()));
        }
        return new Reader(windows);
    }

    /** Reads through a window of 1 MiB per segment; valid until the next write to the log. */
    final class Reader {
        private final Map<Integer, Window> windows;

        private Reader(Map<Integer, Window> windows) {
            this.windows = windows;
        }

        /** The entry at {@code location}, checked. */
        Entry read(Location location, boolean withPixels) throws IOException {
            Entry r = SegmentLog.this.read(windows.get(location.segment()), location.offset(), withPixels);
            if (r.problem() != null) {
                throw corrupt(location, r.problem());
            }
            return r;
        }

        /** Checks the entry at {@code location} and copies its bytes, as they are, to {@code out}. */
        void copy(Location location, ByteArrayOutputStream out) throws IOException {
            read(location, false);
            Window w = windows.get(location.segment());
            out.write(w.buf, w.at(location.offset(), location.size()), location.size());
        }
    }

    private IOException corrupt(Location location, String problem) {
        return new IOException("dataset cache segment " + path(location.segment()) + " is corrupt at offset "
                + location.offset() + ": " + problem + "; delete " + dir + " and replay the topic to rebuild it");
    }

    /**
     * Reads a segment through a window so that a scan costs one system call per megabyte, not per
     * entry, and random reads near the last one are free.
     */
    private static final class Window {
        private final FileChannel ch;
        private final long size;
        private byte[] buf;
        private long start = -1;
        private int length;

        Window(FileChannel ch, long size) {
            this(ch, size, 1 << 20);
        }

        Window(FileChannel ch, long size, int capacity) {
            this.ch = ch;
            this.size = size;
            this.buf = new byte[capacity];
        }

        /** Makes {@code [pos, pos + n)} readable in {@link #buf} and returns its index there; {@code pos + n <= size}. */
        int at(long pos, int n) throws IOException {
            if (start >= 0 && pos >= start && pos + n <= start + length) {
                return (int) (pos - start);
            }
            if (buf.length < n) {
                buf = new byte[n];
            }
            int want = (int) Math.min(buf.length, size - pos);
            ByteBuffer bb = ByteBuffer.wrap(buf, 0, want);
            while (bb.hasRemaining()) {
                if (ch.read(bb, pos + bb.position()) < 0) {
                    throw new IOException("file ended at " + (pos + bb.position()) + " while reading up to " + (pos + want));
                }
            }
            start = pos;
            length = want;
            return 0;
        }
    }

    // ---------------------------------------------------------------- state

    /** Bytes in all segments, superseded entries included. */
    long bytes() {
        return bytes;
    }

    int segmentCount() {
        return segments.size();
    }

    /** Bytes of torn tails truncated when the log was opened. */
    long recoveredTornBytes() {
        return recoveredTornBytes;
    }

    /** Closes every segment file; idempotent. */
    @Override
    public void close() throws IOException {
        IOException failure = null;
        for (FileChannel ch : segments.values()) {
            try {
                ch.close();
            } catch (IOException e) {
                failure = failure == null ? e : failure;
            }
        }
        segments.clear();
        if (failure != null) {
            throw failure;
        }
    }
}
