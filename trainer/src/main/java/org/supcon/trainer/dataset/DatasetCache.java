package org.supcon.trainer.dataset;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import org.supcon.trainer.images.ImageGeometry;
import org.supcon.trainer.images.ImageSet;
import org.supcon.trainer.dataset.EntryCodec.Encoded;
import org.supcon.trainer.dataset.EntryCodec.Entry;

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
 * <h2>Parts</h2>
 * This class is the index (each id's latest entry, per-label counts, superseded bytes) and builds
 * the snapshots. The files are handled by package-private parts: {@code EntryCodec} (the entry
 * format and its CRC), {@code SegmentLog} (append, fsync, torn-tail recovery), {@code Compactor},
 * {@code OffsetsFile}, {@code CacheHeader} and {@code DirectoryLock}.
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

    private static final System.Logger LOG = System.getLogger(DatasetCache.class.getName());

    private final Path dir;
    private final ImageGeometry geometry;
    private final EntryCodec codec;
    private final DirectoryLock lock;
    private SegmentLog log;
    private OffsetsFile offsets;
    private final Map<String, Location> index = new HashMap<>();
    private final TreeMap<String, Integer> perLabel = new TreeMap<>();
    private long supersededBytes;
    private boolean closed;

    private DatasetCache(Path dir, ImageGeometry geometry, DirectoryLock lock) {
        this.dir = dir;
        this.geometry = geometry;
        this.codec = new EntryCodec(geometry);
        this.lock = lock;
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
        CacheHeader.checkOrCreate(dir, geometry, SegmentLog.numbers(dir).size());
        log = SegmentLog.open(dir, codec, this::put);
        offsets = OffsetsFile.read(dir);
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
        int number = log.active();
        long start = log.end();
        // sized for the whole batch up front: growing it by doubling copied it several times per batch
        ByteArrayOutputStream batch = new ByteArrayOutputStream(codec.typicalSize(samples.size()));
        DataOutputStream out = new DataOutputStream(batch);
        Map<String, Location> pending = new LinkedHashMap<>();
        Map<String, byte[]> pendingPayloads = new HashMap<>();
        int added = 0;
        int replaced = 0;
        int unchanged = 0;
        for (Sample s : samples) {
            Encoded entry = EntryCodec.encode(s);
            Location previous = pending.containsKey(s.id()) ? pending.get(s.id()) : index.get(s.id());
            if (previous != null && previous.crc() == entry.crc() && previous.size() == entry.size()) {
                byte[] existing = pendingPayloads.containsKey(s.id()) ? pendingPayloads.get(s.id()) : log.payload(previous);
                if (Arrays.equals(existing, entry.payload())) {
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
            entry.writeTo(out);
            pending.put(s.id(), new Location(number, offset, entry.size(), entry.crc(), s.label(), s.split()));
            pendingPayloads.put(s.id(), entry.payload());
        }
        if (batch.size() > 0) {
            log.append(batch.toByteArray());
            for (Map.Entry<String, Location> e : pending.entrySet()) {
                put(e.getKey(), e.getValue());
            }
            // Entries of an id written twice in this batch: only the last is in pending, the earlier ones are superseded.
            long pendingBytes = pending.values().stream().mapToLong(Location::size).sum();
            supersededBytes += batch.size() - pendingBytes;
        }
        return new AppendResult(added, replaced, unchanged);
    }

    private void ensureWritable() {
        ensureOpen();
        if (log.broken()) {
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

    /** The latest sample with this id, read back from disk. */
    public synchronized Optional<Sample> get(String id) throws IOException {
        ensureOpen();
        Location location = index.get(Objects.requireNonNull(id, "id"));
        if (location == null) {
            return Optional.empty();
        }
        Entry r = log.read(location, true);
        return Optional.of(new Sample(r.id(), r.label(), r.pixels(), r.source(), r.split()));
    }

    /**
     * The current label of each of {@code ids} that the cache holds (absent ids are left out), from
     * the in-memory index: one consistent view, no disk read.
     */
    public synchronized Map<String, String> labels(Collection<String> ids) {
        ensureOpen();
        Map<String, String> out = new HashMap<>();
        for (String id : ids) {
            Location location = index.get(Objects.requireNonNull(id, "id"));
            if (location != null) {
                out.put(id, location.label());
            }
        }
        return out;
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
        SegmentLog.Reader reader = log.reader();
        for (int i = 0; i < ids.size(); i++) {
            Location location = index.get(ids.get(i));
            System.arraycopy(reader.read(location, true).pixels(), 0, pixels, i * p, p);
            labels[i] = classIds.get(location.label());
            splits.add(location.split() == null ? "" : location.split());
        }
        return new IdentifiedSnapshot(new ImageSet(geometry, names, pixels, labels, ids.toArray(String[]::new)), List.copyOf(ids),
                Collections.unmodifiableList(splits), offsets.offsets());
    }

    /** Samples, per-label counts, segment bytes on disk (superseded entries included) and segment files. */
    public synchronized Stats stats() {
        ensureOpen();
        return new Stats(index.size(), perLabel, log.bytes(), supersededBytes, log.segmentCount());
    }

    /** Bytes of torn tails truncated when this cache was opened; 0 after a clean shutdown. */
    public synchronized long recoveredTornBytes() {
        return log.recoveredTornBytes();
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
        if (Compactor.worthIt(supersededBytes, log.bytes())) {
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
        index.putAll(Compactor.compact(log, index));
        supersededBytes = 0;
    }

    // ---------------------------------------------------------------- offsets

    /**
     * The consumer offsets saved with {@link #saveOffsets}: {@code "<topic>-<partition>"} to the
     * next offset to read. Empty for a new (or rebuilt) cache, which means: replay from the start.
     */
    public synchronized Map<String, Long> offsets() {
        ensureOpen();
        return offsets.offsets();
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
        offsets.save(next);
    }

    // ---------------------------------------------------------------- files

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
                    if (SegmentLog.isSegment(name) || name.equals(CacheHeader.FILE) || name.equals(OffsetsFile.FILE)
                            || name.endsWith(".tmp")) {
                        Files.delete(p);
                    }
                }
            }
        }
        Files.deleteIfExists(dir.resolve(DirectoryLock.FILE));
        try {
            Files.delete(dir);
        } catch (DirectoryNotEmptyException e) {
            LOG.log(System.Logger.Level.INFO, "dataset cache {0} deleted; the directory stays, it holds other files", dir);
        } catch (NoSuchFileException e) {
            // already gone
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
        if (log != null) {
            try {
                log.close();
            } catch (IOException e) {
                failure = e;
            }
        }
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
