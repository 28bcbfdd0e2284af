package org.supcon.trainer.dataset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import org.supcon.trainer.data.ImageGeometry;
import org.supcon.trainer.data.ImageSet;
import org.supcon.trainer.io.Durable;

/**
 * The trainer's durable local copy of the {@code labeled-images} topic: every accepted
 * {@link Sample}, the latest one per id, plus the consumer offsets that are already in it.
 *
 * <h2>Files in the directory</h2>
 * <ul>
 *   <li>{@code cache.json}: format version and image geometry, e.g.
 *       {@code {"format":1,"geometry":{"channels":1,"height":28,"width":28}}}; opening with another
 *       geometry fails.
 *   <li>{@code segment-NNNNNN.log}: append-only entries, read in segment-number order, later
 *       entries winning. Each entry is {@code int magic "SCE1"}, {@code int payloadLength},
 *       {@code int crc32(payload)}, then the payload: id, label, source, split (each
 *       {@code int length} + UTF-8 bytes) and the pixels ({@code int length} + CHW uint8 bytes of the
 *       geometry). Only the highest-numbered segment is appended to.
 *   <li>{@code offsets.json}: {@code {"<topic>-<partition>": nextOffset}}, replaced atomically.
 *   <li>{@code .lock}: held while a {@code DatasetCache} has the directory open (one writer).
 * </ul>
 *
 * <h2>Durability protocol for the consumer</h2>
 * Poll, validate, {@link #appendAll} the accepted samples (it returns after {@code fsync}), send
 * the rejected records to the DLQ, {@link #saveOffsets} the next offsets, then commit them to Kafka.
 * A crash anywhere in between re-delivers records that may already be here; they are absorbed:
 * an identical entry is not written again and a changed one (relabel) replaces the old.
 *
 * <h2>Recovery</h2>
 * Opening scans every segment. A damaged tail of the last segment (a partial entry or a CRC
 * mismatch with nothing valid after it, left by a crash mid-write of a batch that was never
 * acknowledged) is truncated, logged and counted in {@link #recoveredTornBytes()}. Damage followed
 * by valid entries is real corruption: opening fails with an {@link IOException} naming file and
 * offset.
 *
 * <h2>Rebuilding</h2>
 * The cache is derived data; Kafka is the source of truth. To rebuild it (corruption, a new
 * geometry, a format change), stop the consumer, {@link #delete(Path)} the directory (or remove it
 * by hand), and start the consumer from the beginning of the topic: with no {@code offsets.json}
 * it must seek to the earliest offsets and replay.
 *
 * <p>Thread-safety: every public method is synchronized, so one consumer thread may append while
 * others take snapshots or stats.
 */
public final class DatasetCache implements Closeable {

    /** What the cache holds, at the time of the call. */
    public record Stats(int samples, SortedMap<String, Integer> perLabel, long bytes, long supersededBytes, int segments) {
        public Stats {
            perLabel = Collections.unmodifiableSortedMap(new TreeMap<>(perLabel));
        }
    }

    /**
     * What {@link #appendAll} did with a batch.
     *
     * @param added samples with an id not seen before
     * @param replaced samples whose id was present with another label, pixels, source or split
     * @param unchanged exact duplicates of what was present, not written again
     */
    public record AppendResult(int added, int replaced, int unchanged) {
    }

    static final String HEADER_FILE = "cache.json";
    static final String OFFSETS_FILE = "offsets.json";
    static final String LOCK_FILE = ".lock";
    static final int FORMAT = 1;
    /** "SCE1": supcon cache entry, format 1. */
    static final int MAGIC = 0x53434531;
    static final int ENTRY_HEADER = 12;
    /** Longest string field accepted when reading, in UTF-8 bytes. */
    private static final int MAX_STRING_BYTES = 1 << 16;
    private static final Pattern SEGMENT = Pattern.compile("segment-(\\d{6})\\.log");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final System.Logger LOG = System.getLogger(DatasetCache.class.getName());

    /** Where the latest entry of an id lives, and what the index needs without reading it. */
    private record Location(int segment, long offset, int size, int crc, String label, String split) {
    }

    private final Path dir;
    private final ImageGeometry geometry;
    private final int maxPayload;
    private final DirectoryLock lock;
    /** Segment number to its channel; the last one is appended to. */
    private final TreeMap<Integer, FileChannel> segments = new TreeMap<>();
    private final Map<String, Location> index = new HashMap<>();
    private final TreeMap<String, Integer> perLabel = new TreeMap<>();
    private Map<String, Long> offsets;
    private long bytes;
    private long supersededBytes;
    private long recoveredTornBytes;
    private boolean broken;
    private boolean closed;

    private DatasetCache(Path dir, ImageGeometry geometry, DirectoryLock lock) {
        this.dir = dir;
        this.geometry = geometry;
        this.lock = lock;
        this.maxPayload = 4 * (4 + MAX_STRING_BYTES) + 4 + geometry.pixels();
    }

    /**
     * Opens the cache in {@code dir}, creating it if the directory is missing or empty, and
     * rebuilds the index from the segments.
     *
     * @throws IOException if the cache was made for another geometry, is open elsewhere, or is
     *     corrupt before its tail (the message names the file and offset)
     */
    public static DatasetCache open(Path dir, ImageGeometry geometry) throws IOException {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(geometry, "geometry");
        Files.createDirectories(dir);
        DatasetCache cache = new DatasetCache(dir, geometry, DirectoryLock.acquire(dir));
        try {
            cache.load();
            return cache;
        } catch (IOException | RuntimeException e) {
            cache.close();
            throw e;
        }
    }

    private void load() throws IOException {
        removeTemporaries();
        List<Integer> numbers = segmentNumbers();
        Path header = dir.resolve(HEADER_FILE);
        if (Files.exists(header)) {
            checkHeader(header);
        } else if (!numbers.isEmpty()) {
            throw new IOException("dataset cache " + dir + " has " + numbers.size() + " segment file(s) but no "
                    + HEADER_FILE + "; delete the directory and replay the topic to rebuild it");
        } else {
            ObjectNode root = JSON.createObjectNode();
            root.put("format", FORMAT);
            ObjectNode g = root.putObject("geometry");
            g.put("channels", geometry.channels());
            g.put("height", geometry.height());
            g.put("width", geometry.width());
            writeAtomically(header, JSON.writeValueAsBytes(root));
        }
        if (numbers.isEmpty()) {
            numbers = List.of(1);
        }
        for (int i = 0; i < numbers.size(); i++) {
            int n = numbers.get(i);
            boolean last = i == numbers.size() - 1;
            Path file = segmentPath(n);
            boolean created = !Files.exists(file);
            FileChannel ch = last
                    ? FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE)
                    : FileChannel.open(file, StandardOpenOption.READ);
            segments.put(n, ch);
            if (created) {
                Durable.fsyncDirectory(dir);
            }
            scan(n, ch, last);
        }
        offsets = readOffsets();
    }

    private void checkHeader(Path header) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readAllBytes(header));
        } catch (IOException e) {
            throw new IOException("cannot read " + header + ": " + e.getMessage(), e);
        }
        int format = root.path("format").asInt(-1);
        if (format != FORMAT) {
            throw new IOException(header + " has format " + root.path("format") + ", this trainer reads format " + FORMAT
                    + "; delete the directory and replay the topic to rebuild it");
        }
        JsonNode g = root.path("geometry");
        ImageGeometry stored;
        try {
            stored = new ImageGeometry(g.path("channels").asInt(), g.path("height").asInt(), g.path("width").asInt());
        } catch (IllegalArgumentException e) {
            throw new IOException(header + " has an invalid geometry " + g + ": " + e.getMessage(), e);
        }
        if (!stored.equals(geometry)) {
            throw new IOException("dataset cache " + dir + " holds " + stored + " images but was opened for " + geometry
                    + "; use a separate directory, or delete it and replay the topic to rebuild it in " + geometry);
        }
    }

    // ---------------------------------------------------------------- scanning

    /** A parsed entry, or {@code problem} saying why the bytes at that offset are not one. */
    private record Read(String id, String label, String source, String split, byte[] pixels, int size, int crc,
                        String problem) {
        static Read problem(String problem) {
            return new Read(null, null, null, null, null, 0, 0, problem);
        }
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

    private Read read(Window w, long pos, boolean withPixels) throws IOException {
        long left = w.size - pos;
        if (left < ENTRY_HEADER) {
            return Read.problem("only " + left + " bytes left, an entry header needs " + ENTRY_HEADER);
        }
        int at = w.at(pos, ENTRY_HEADER);
        ByteBuffer h = ByteBuffer.wrap(w.buf, at, ENTRY_HEADER);
        int magic = h.getInt();
        int length = h.getInt();
        int crc = h.getInt();
        if (magic != MAGIC) {
            return Read.problem(String.format(Locale.ROOT, "bad magic 0x%08x", magic));
        }
        if (length < 20 || length > maxPayload) {
            return Read.problem("implausible payload length " + length);
        }
        if (length > left - ENTRY_HEADER) {
            return Read.problem("entry of " + (ENTRY_HEADER + length) + " bytes runs past the end of the file ("
                    + left + " bytes left)");
        }
        at = w.at(pos, ENTRY_HEADER + length) + ENTRY_HEADER;
        CRC32 crc32 = new CRC32();
        crc32.update(w.buf, at, length);
        if ((int) crc32.getValue() != crc) {
            return Read.problem(String.format(Locale.ROOT, "CRC mismatch (stored 0x%08x, computed 0x%08x)", crc,
                    (int) crc32.getValue()));
        }
        ByteBuffer p = ByteBuffer.wrap(w.buf, at, length);
        try {
            String id = string(p);
            String label = string(p);
            String source = string(p);
            String split = string(p);
            int n = p.getInt();
            if (n != geometry.pixels() || n != p.remaining()) {
                return Read.problem("entry holds " + n + " pixel values in " + p.remaining() + " bytes, "
                        + geometry + " images need " + geometry.pixels());
            }
            byte[] pixels = null;
            if (withPixels) {
                pixels = new byte[n];
                p.get(pixels);
            }
            return new Read(id, label, source, split, pixels, ENTRY_HEADER + length, crc, null);
        } catch (RuntimeException e) {
            return Read.problem("payload does not parse: " + e);
        }
    }

    private static String string(ByteBuffer p) {
        int n = p.getInt();
        if (n < 0 || n > MAX_STRING_BYTES || n > p.remaining()) {
            throw new IllegalArgumentException("string length " + n);
        }
        String s = new String(p.array(), p.position(), n, StandardCharsets.UTF_8);
        p.position(p.position() + n);
        return s;
    }

    private void scan(int number, FileChannel ch, boolean last) throws IOException {
        Path file = segmentPath(number);
        long size = ch.size();
        Window w = new Window(ch, size);
        long pos = 0;
        while (pos < size) {
            Read r = read(w, pos, false);
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
            put(r.id(), new Location(number, pos, r.size(), r.crc(), r.label(), r.split()));
            pos += r.size();
        }
        bytes += size;
    }

    /** Offset of the first valid entry at or after {@code from}, or -1. */
    private long nextValidEntry(Window w, long from) throws IOException {
        byte m0 = (byte) (MAGIC >>> 24);
        for (long q = from; q + ENTRY_HEADER <= w.size; q++) {
            if (w.buf[w.at(q, 1)] == m0 && read(w, q, false).problem() == null) {
                return q;
            }
        }
        return -1;
    }

    /** Makes {@code location} the latest entry of {@code id}, keeping counts and superseded bytes right. */
    private void put(String id, Location location) {
        Location old = index.put(id, location);
        if (old != null) {
            supersededBytes += old.size();
            perLabel.computeIfPresent(old.label(), (k, v) -> v == 1 ? null : v - 1);
        }
        perLabel.merge(location.label(), 1, Integer::sum);
    }

    // ---------------------------------------------------------------- writing

    /**
     * Appends the samples (a later one with the same id wins, here and against the cache) and
     * forces them to disk before returning; then they are durable and the consumer may commit
     * their offsets. Exact duplicates of what the cache holds are not written.
     *
     * @throws IllegalArgumentException if a sample has an empty id or label, or pixels of another
     *     size than {@code geometry().pixels()}; nothing of the batch is written then
     * @throws IOException if writing or forcing fails; nothing of the batch counts as written, and
     *     the partial bytes are cut off (if that fails too, the cache refuses further writes)
     */
    public synchronized AppendResult appendAll(List<Sample> samples) throws IOException {
        ensureWritable();
        Objects.requireNonNull(samples, "samples");
        for (Sample s : samples) {
            Objects.requireNonNull(s, "sample");
            if (s.id().isEmpty() || s.label().isEmpty()) {
                throw new IllegalArgumentException("sample '" + s.id() + "' has an empty id or label");
            }
            if (s.pixels().length != geometry.pixels()) {
                throw new IllegalArgumentException("sample '" + s.id() + "' has " + s.pixels().length
                        + " pixel values, the cache holds " + geometry + " images (" + geometry.pixels() + ")");
            }
        }
        int number = segments.lastKey();
        FileChannel ch = segments.get(number);
        long start = ch.size();
        // sized for the whole batch up front: growing it by doubling copied it several times per batch
        ByteArrayOutputStream batch = new ByteArrayOutputStream((int) Math.min(Integer.MAX_VALUE - 8,
                (long) samples.size() * (ENTRY_HEADER + 4 * 4 + 128 + 4 + geometry.pixels())));
        DataOutputStream out = new DataOutputStream(batch);
        Map<String, Location> pending = new LinkedHashMap<>();
        Map<String, byte[]> pendingPayloads = new HashMap<>();
        int added = 0;
        int replaced = 0;
        int unchanged = 0;
        for (Sample s : samples) {
            byte[] payload = payload(s);
            int crc = crc(payload);
            int size = ENTRY_HEADER + payload.length;
            Location previous = pending.containsKey(s.id()) ? pending.get(s.id()) : index.get(s.id());
            if (previous != null && previous.crc() == crc && previous.size() == size) {
                byte[] existing = pendingPayloads.containsKey(s.id()) ? pendingPayloads.get(s.id()) : payloadAt(previous);
                if (Arrays.equals(existing, payload)) {
                    unchanged++;
                    continue;
                }
            }
            if (previous == null) {
                added++;
            } else {
                replaced++;
            }
            long offset = start + batch.size();
            out.writeInt(MAGIC);
            out.writeInt(payload.length);
            out.writeInt(crc);
            out.write(payload);
            pending.put(s.id(), new Location(number, offset, size, crc, s.label(), s.split()));
            pendingPayloads.put(s.id(), payload);
        }
        if (batch.size() > 0) {
            write(ch, start, batch.toByteArray());
            bytes += batch.size();
            for (Map.Entry<String, Location> e : pending.entrySet()) {
                put(e.getKey(), e.getValue());
            }
            // Entries of an id written twice in this batch: only the last is in pending, the earlier ones are superseded.
            long pendingBytes = pending.values().stream().mapToLong(Location::size).sum();
            supersededBytes += batch.size() - pendingBytes;
        }
        return new AppendResult(added, replaced, unchanged);
    }

    private static byte[] payload(Sample s) throws IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream(s.pixels().length + 64);
        DataOutputStream out = new DataOutputStream(buffer);
        for (String field : new String[] {s.id(), s.label(), s.source(), s.split()}) {
            byte[] utf8 = field.getBytes(StandardCharsets.UTF_8);
            if (utf8.length > MAX_STRING_BYTES) {
                throw new IllegalArgumentException("sample '" + abbreviate(s.id()) + "' has a field of " + utf8.length
                        + " UTF-8 bytes, the limit is " + MAX_STRING_BYTES);
            }
            out.writeInt(utf8.length);
            out.write(utf8);
        }
        out.writeInt(s.pixels().length);
        out.write(s.pixels());
        return buffer.toByteArray();
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }

    private static int crc(byte[] payload) {
        CRC32 crc = new CRC32();
        crc.update(payload);
        return (int) crc.getValue();
    }

    /** Writes {@code data} at {@code start}, forces it, and on failure cuts the file back to {@code start}. */
    private void write(FileChannel ch, long start, byte[] data) throws IOException {
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
    }

    private void ensureWritable() {
        ensureOpen();
        if (broken) {
            throw new IllegalStateException("dataset cache " + dir + " refuses writes: an earlier write failed and its"
                    + " partial bytes could not be removed; reopen it (the torn tail is then truncated)");
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("dataset cache " + dir + " is closed");
        }
    }

    // ---------------------------------------------------------------- reading

    /** A window over exactly the entry at {@code location}, checked; its bytes start at index 0. */
    private Window entryWindow(Location location) throws IOException {
        Window w = new Window(segments.get(location.segment()), location.offset() + location.size(), location.size());
        Read r = read(w, location.offset(), false);
        if (r.problem() != null) {
            throw corruptEntry(location, r.problem());
        }
        return w;
    }

    private IOException corruptEntry(Location location, String problem) {
        return new IOException("dataset cache segment " + segmentPath(location.segment()) + " is corrupt at offset "
                + location.offset() + ": " + problem + "; delete " + dir + " and replay the topic to rebuild it");
    }

    private byte[] payloadAt(Location location) throws IOException {
        Window w = entryWindow(location);
        int at = w.at(location.offset(), location.size());
        return Arrays.copyOfRange(w.buf, at + ENTRY_HEADER, at + location.size());
    }

    /** A window of 1 MiB over every segment, for reads in roughly file order. */
    private Map<Integer, Window> windows() throws IOException {
        Map<Integer, Window> windows = new HashMap<>();
        for (Map.Entry<Integer, FileChannel> e : segments.entrySet()) {
            windows.put(e.getKey(), new Window(e.getValue(), e.getValue().size()));
        }
        return windows;
    }

    /** The latest sample with this id, read back from disk. */
    public synchronized Optional<Sample> get(String id) throws IOException {
        ensureOpen();
        Location location = index.get(Objects.requireNonNull(id, "id"));
        if (location == null) {
            return Optional.empty();
        }
        Read r = read(entryWindow(location), location.offset(), true);
        return Optional.of(new Sample(r.id(), r.label(), r.pixels(), r.source(), r.split()));
    }

    /** Same as {@link #snapshot(List, String) snapshot(labelOrder, null)}: every sample. */
    public synchronized ImageSet snapshot(List<String> labelOrder) throws IOException {
        return snapshot(labelOrder, null);
    }

    /**
     * The current unique samples as an {@link ImageSet}, ordered by id (so equal contents give
     * equal sets), each image {@code [C, H, W]} of {@link #geometry()}.
     *
     * <p>Class ids: the position of the label in {@code labelOrder}, or, when it is null, in the
     * sorted names of every label in the cache. Labels are taken from the whole cache even when
     * {@code split} selects part of it, so a train and a test snapshot agree on class ids.
     *
     * @param labelOrder class names in class-id order; must contain every label in the cache, may
     *     name classes without samples; null for sorted label names
     * @param split only samples with this split hint ({@code ""} for those without one); null for all
     * @throws IllegalArgumentException if {@code labelOrder} misses labels of the cache (they are named)
     * @throws IllegalStateException if the cache is empty and no {@code labelOrder} is given
     */
    public synchronized ImageSet snapshot(List<String> labelOrder, String split) throws IOException {
        return identifiedSnapshot(labelOrder, split).images();
    }

    /**
     * A snapshot with what a training run records about it: the id and split hint of every image
     * (by image index) and the consumer offsets the cache held at that moment, all taken under
     * the same lock, so they describe exactly the images returned.
     *
     * @param images as {@link #snapshot(List, String)} returns them
     * @param ids the sample id of each image, ascending
     * @param splits the split hint of each image ({@code ""} when none)
     * @param offsets {@link #offsets()} at the time of the snapshot
     */
    public record IdentifiedSnapshot(ImageSet images, List<String> ids, List<String> splits, Map<String, Long> offsets) {
    }

    /** Same as {@link #snapshot(List, String)}, with the ids, split hints and offsets of the images. */
    public synchronized IdentifiedSnapshot identifiedSnapshot(List<String> labelOrder, String split) throws IOException {
        ensureOpen();
        List<String> names;
        if (labelOrder == null) {
            if (perLabel.isEmpty()) {
                throw new IllegalStateException("dataset cache " + dir + " is empty: no labels to build a snapshot from");
            }
            names = List.copyOf(perLabel.keySet());
        } else {
            Set<String> missing = new TreeSet<>(perLabel.keySet());
            missing.removeAll(new HashSet<>(labelOrder));
            if (!missing.isEmpty()) {
                throw new IllegalArgumentException("labelOrder " + labelOrder + " lacks labels present in the cache: " + missing);
            }
            names = labelOrder;
        }
        Map<String, Integer> classIds = new HashMap<>();
        for (int i = 0; i < names.size(); i++) {
            classIds.putIfAbsent(names.get(i), i);
        }
        List<String> ids = new ArrayList<>();
        for (Map.Entry<String, Location> e : index.entrySet()) {
            if (split == null || split.equals(e.getValue().split())) {
                ids.add(e.getKey());
            }
        }
        Collections.sort(ids);
        int p = geometry.pixels();
        if ((long) ids.size() * p > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException(ids.size() + " images of " + geometry + " do not fit in one ImageSet");
        }
        byte[] pixels = new byte[ids.size() * p];
        int[] labels = new int[ids.size()];
        List<String> splits = new ArrayList<>(ids.size());
        Map<Integer, Window> windows = windows();
        for (int i = 0; i < ids.size(); i++) {
            Location location = index.get(ids.get(i));
            Read r = read(windows.get(location.segment()), location.offset(), true);
            if (r.problem() != null) {
                throw corruptEntry(location, r.problem());
            }
            System.arraycopy(r.pixels(), 0, pixels, i * p, p);
            labels[i] = classIds.get(location.label());
            splits.add(location.split() == null ? "" : location.split());
        }
        return new IdentifiedSnapshot(new ImageSet(geometry, names, pixels, labels), List.copyOf(ids),
                Collections.unmodifiableList(splits), Collections.unmodifiableSortedMap(new TreeMap<>(offsets)));
    }

    /** Samples, per-label counts, segment bytes on disk (superseded entries included) and segment files. */
    public synchronized Stats stats() {
        ensureOpen();
        return new Stats(index.size(), perLabel, bytes, supersededBytes, segments.size());
    }

    /** Bytes of torn tails truncated when this cache was opened; 0 after a clean shutdown. */
    public synchronized long recoveredTornBytes() {
        return recoveredTornBytes;
    }

    public Path dir() {
        return dir;
    }

    public ImageGeometry geometry() {
        return geometry;
    }

    // ---------------------------------------------------------------- compaction

    /** Compacts when superseded entries take more than half of the segment bytes; true if it did. */
    public synchronized boolean compactIfNeeded() throws IOException {
        ensureWritable();
        if (supersededBytes * 2 > bytes) {
            compact();
            return true;
        }
        return false;
    }

    /**
     * Rewrites the latest entry of every id, in id order, into a new segment and deletes the old
     * ones. The new segment is written under a temporary name, forced and renamed into place
     * before anything is deleted, so a crash leaves either the old segments or the new one (or
     * both, which reads the same: the new entries come last and are equal to the old latest ones).
     */
    public synchronized void compact() throws IOException {
        ensureWritable();
        int number = segments.lastKey() + 1;
        Path target = segmentPath(number);
        Path temp = target.resolveSibling(target.getFileName() + ".tmp");
        List<String> ids = new ArrayList<>(index.keySet());
        Collections.sort(ids);
        Map<String, Location> moved = new HashMap<>();
        long written = 0;
        try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            Map<Integer, Window> windows = windows();
            ByteArrayOutputStream chunk = new ByteArrayOutputStream(1 << 20);
            for (String id : ids) {
                Location location = index.get(id);
                Window w = windows.get(location.segment());
                Read r = read(w, location.offset(), false);
                if (r.problem() != null) {
                    throw corruptEntry(location, r.problem());
                }
                // Entries do not refer to their position, so their bytes move as they are.
                chunk.write(w.buf, w.at(location.offset(), location.size()), location.size());
                moved.put(id, new Location(number, written, location.size(), location.crc(), location.label(),
                        location.split()));
                written += location.size();
                if (chunk.size() >= 1 << 20) {
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
        FileChannel active = FileChannel.open(target, StandardOpenOption.READ, StandardOpenOption.WRITE);
        List<FileChannel> oldChannels = new ArrayList<>(segments.values());
        List<Integer> old = new ArrayList<>(segments.keySet());
        segments.clear();
        segments.put(number, active);
        index.putAll(moved);
        bytes = written;
        supersededBytes = 0;
        for (int k = 0; k < old.size(); k++) {
            try {
                oldChannels.get(k).close();
                Files.delete(segmentPath(old.get(k)));
            } catch (IOException e) {
                // Harmless: a leftover old segment is read before the new one, whose entries then win.
                LOG.log(System.Logger.Level.WARNING, "dataset cache {0}: could not delete {1} after compaction: {2}",
                        dir, segmentPath(old.get(k)), e.toString());
            }
        }
        Durable.fsyncDirectory(dir);
        LOG.log(System.Logger.Level.INFO, "dataset cache {0}: compacted {1} segment(s) into {2}, {3} samples in {4} bytes",
                dir, old.size(), target.getFileName(), ids.size(), written);
    }

    private static void writeFully(FileChannel ch, byte[] data) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(data);
        while (buffer.hasRemaining()) {
            ch.write(buffer);
        }
    }

    // ---------------------------------------------------------------- offsets

    /**
     * The consumer offsets saved with {@link #saveOffsets}: {@code "<topic>-<partition>"} to the
     * next offset to read. Empty for a new (or rebuilt) cache, which means: replay from the start.
     */
    public synchronized Map<String, Long> offsets() {
        ensureOpen();
        return offsets;
    }

    /**
     * Merges {@code next} into the saved offsets and replaces {@code offsets.json} atomically
     * (temporary file, fsync, rename, fsync of the directory). Call it after {@link #appendAll}
     * returned for the records these offsets cover, before committing them to Kafka.
     *
     * @param next {@code "<topic>-<partition>"} to the next offset to read, each at least 0
     */
    public synchronized void saveOffsets(Map<String, Long> next) throws IOException {
        ensureWritable();
        Objects.requireNonNull(next, "next");
        TreeMap<String, Long> merged = new TreeMap<>(offsets);
        for (Map.Entry<String, Long> e : next.entrySet()) {
            if (e.getKey() == null || e.getKey().isBlank() || e.getValue() == null || e.getValue() < 0) {
                throw new IllegalArgumentException("offset entry " + e.getKey() + " = " + e.getValue()
                        + " needs a \"<topic>-<partition>\" key and a non-negative offset");
            }
            merged.put(e.getKey(), e.getValue());
        }
        writeAtomically(dir.resolve(OFFSETS_FILE), JSON.writeValueAsBytes(merged));
        offsets = Collections.unmodifiableSortedMap(merged);
    }

    private Map<String, Long> readOffsets() throws IOException {
        Path file = dir.resolve(OFFSETS_FILE);
        if (!Files.exists(file)) {
            return Collections.unmodifiableSortedMap(new TreeMap<>());
        }
        TreeMap<String, Long> result = new TreeMap<>();
        try {
            JsonNode root = JSON.readTree(Files.readAllBytes(file));
            if (!root.isObject()) {
                throw new IOException("not a JSON object");
            }
            for (Map.Entry<String, JsonNode> e : (Iterable<Map.Entry<String, JsonNode>>) root::fields) {
                if (!e.getValue().canConvertToLong() || e.getValue().asLong() < 0) {
                    throw new IOException("offset of " + e.getKey() + " is " + e.getValue() + ", not a non-negative integer");
                }
                result.put(e.getKey(), e.getValue().asLong());
            }
        } catch (IOException e) {
            throw new IOException("cannot read " + file + ": " + e.getMessage()
                    + "; delete it to replay the topic from the start (duplicates are absorbed)", e);
        }
        return Collections.unmodifiableSortedMap(result);
    }

    // ---------------------------------------------------------------- files

    private Path segmentPath(int number) {
        return dir.resolve(String.format(Locale.ROOT, "segment-%06d.log", number));
    }

    private List<Integer> segmentNumbers() throws IOException {
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

    /** Temporary files are from a write that never completed; the files they were to replace are intact. */
    private void removeTemporaries() throws IOException {
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, "*.tmp")) {
            for (Path p : stream) {
                LOG.log(System.Logger.Level.WARNING, "dataset cache {0}: removing {1}, left by an interrupted write",
                        dir, p.getFileName());
                Files.delete(p);
            }
        }
    }

    private static void writeAtomically(Path target, byte[] data) throws IOException {
        Path temp = target.resolveSibling(target.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            writeFully(ch, data);
            ch.force(true);
        }
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Durable.fsyncDirectory(target.getParent());
    }

    /** Makes created, renamed and deleted entries of {@code dir} durable; some filesystems refuse, which is accepted. */

    /**
     * Deletes the cache in {@code dir}: its segments, {@code cache.json}, {@code offsets.json},
     * temporary files and lock, then the directory if nothing else is in it. Other files are left
     * alone. Replaying the topic from the start afterwards rebuilds the cache.
     *
     * @throws IOException if the cache is open (here or in another process)
     */
    public static void delete(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (DirectoryLock ignored = DirectoryLock.acquire(dir)) {
            try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
                for (Path p : stream) {
                    String name = p.getFileName().toString();
                    if (SEGMENT.matcher(name).matches() || name.equals(HEADER_FILE) || name.equals(OFFSETS_FILE)
                            || name.endsWith(".tmp")) {
                        Files.delete(p);
                    }
                }
            }
        }
        Files.deleteIfExists(dir.resolve(LOCK_FILE));
        try {
            Files.delete(dir);
        } catch (java.nio.file.DirectoryNotEmptyException e) {
            LOG.log(System.Logger.Level.INFO, "dataset cache {0} deleted; the directory stays, it holds other files", dir);
        } catch (NoSuchFileException e) {
            // already gone
        }
    }

    /** The exclusive lock on {@code dir/.lock} that makes one {@code DatasetCache} the only writer. */
    private record DirectoryLock(Path dir, FileChannel channel, FileLock lock) implements Closeable {

        static DirectoryLock acquire(Path dir) throws IOException {
            FileChannel channel = FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                channel.close();
                throw new IOException("dataset cache " + dir + " is already open in this process");
            }
            if (lock == null) {
                channel.close();
                throw new IOException("dataset cache " + dir + " is open in another process (" + dir.resolve(LOCK_FILE)
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

    /** Closes the segment files and releases the directory lock; idempotent. */
    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        IOException failure = null;
        for (FileChannel ch : segments.values()) {
            try {
                ch.close();
            } catch (IOException e) {
                failure = failure == null ? e : failure;
            }
        }
        segments.clear();
        try {
            lock.close();
        } catch (IOException e) {
            failure = failure == null ? e : failure;
        }
        if (failure != null) {
            throw failure;
        }
    }
}
