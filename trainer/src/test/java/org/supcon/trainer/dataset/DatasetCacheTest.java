package org.supcon.trainer.dataset;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.supcon.trainer.images.ImageGeometry;
import org.supcon.trainer.images.ImageSet;

class DatasetCacheTest {

    private static final ImageGeometry G = new ImageGeometry(1, 28, 28);

    @TempDir
    Path dir;

    private static Sample sample(String id, String label, int seed) {
        byte[] pixels = new byte[G.pixels()];
        new Random(seed).nextBytes(pixels);
        return new Sample(id, label, pixels, "unit-test", seed % 5 == 0 ? "test" : "train");
    }

    private Path segment(int n) {
        return dir.resolve(String.format("segment-%06d.log", n));
    }

    /** Appends one sample per batch and returns the file offset at which each entry starts. */
    private static long[] appendOneByOne(DatasetCache cache, List<Sample> samples) throws IOException {
        long[] offsets = new long[samples.size()];
        for (int i = 0; i < samples.size(); i++) {
            offsets[i] = cache.stats().bytes();
            cache.appendAll(List.of(samples.get(i)));
        }
        return offsets;
    }

    private static List<Sample> five() {
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            samples.add(sample("id-" + i, i % 2 == 0 ? "even" : "odd", i));
        }
        return samples;
    }

    @Test
    void appendThenReopenRoundTrips() throws IOException {
        List<Sample> samples = five();
        try (DatasetCache cache = DatasetCache.open(dir, G)) {
            assertEquals(new DatasetCache.AppendResult(5, 0, 0), cache.appendAll(samples));
            assertEquals(samples.get(3), cache.get("id-3").orElseThrow());
        }
        try (DatasetCache cache = DatasetCache.open(dir, G)) {
            DatasetCache.Stats stats = cache.stats();
            assertEquals(5, stats.samples());
            assertEquals(Map.of("even", 3, "odd", 2), stats.perLabel());
            assertEquals(Files.size(segment(1)), stats.bytes());
            assertEquals(1, stats.segments());
            assertEquals(0, cache.recoveredTornBytes());
            for (Sample s : samples) {
                assertEquals(s, cache.get(s.id()).orElseThrow());
            }
            assertEquals(Optional.empty(), cache.get("nope"));
        }
    }

    @Test
    void identifiedSnapshotNamesEachImagesIdSplitAndTheOffsets() throws IOException {
        try (DatasetCache cache = DatasetCache.open(dir, G)) {
            cache.appendAll(five());
            cache.saveOffsets(java.util.Map.of("labeled-images-0", 5L));
            DatasetCache.IdentifiedSnapshot s = cache.identifiedSnapshot(null, null);
            assertEquals(List.of("id-0", "id-1", "id-2", "id-3", "id-4"), s.ids());
            assertEquals(List.of("test", "train", "train", "train", "train"), s.splits());
            assertEquals(java.util.Map.of("labeled-images-0", 5L), s.offsets());
            assertEquals(List.of("even", "odd"), s.images().labelNames());
            assertEquals(1, s.images().label(3), "id-3 is odd");
            org.junit.jupiter.api.Assertions.assertArrayEquals(cache.snapshot(null).pixels(), s.images().pixels());
            assertEquals(List.of("id-0"), cache.identifiedSnapshot(null, "test").ids());
        }
    }

    @Test
    void sameIdTwiceKeepsTheLaterLabelAndIdenticalRecordsAreAbsorbed() throws IOException {
        Sample first = sample("img", "Shirt", 1);
        Sample relabeled = new Sample("img", "T-shirt", first.pixels(), "unit-test", "train");
        try (DatasetCache cache = DatasetCache.open(dir, G)) {
            cache.appendAll(List.of(first));
            assertEquals(new DatasetCache.AppendResult(0, 1, 0), cache.appendAll(List.of(relabeled)));
            long bytes = cache.stats().bytes();
            assertEquals(new DatasetCache.AppendResult(0, 0, 1), cache.appendAll(List.of(relabeled)));
            assertEquals(bytes, cache.stats().bytes(), "an exact duplicate must not be written again");
            assertEquals(1, cache.stats().samples());
            assertEquals(Map.of("T-shirt", 1), cache.stats().perLabel());
            assertEquals(Map.of("img", "T-shirt"), cache.labels(List.of("img", "nope")), "the relabel, at once; absent ids left out");
            // Within one batch the last one wins too.
            assertEquals(new DatasetCache.AppendResult(1, 2, 1), cache.appendAll(List.of(sample("b", "x", 2),
                    sample("b", "y", 2), sample("b", "y", 2), first)));
        }
        try (DatasetCache cache = DatasetCache.open(dir, G)) {
            assertEquals(2, cache.stats().samples());
            assertEquals("Shirt", cache.get("img").orElseThrow().label());
            assertEquals("y", cache.get("b").orElseThrow().label());
            assertEquals(Map.of("Shirt", 1, "y", 1), cache.stats().perLabel());
            assertEquals(Map.of("img", "Shirt", "b", "y"), cache.labels(List.of("b", "img")), "the rebuilt index's labels");
        }
    }

    @Test
    void truncatedTailIsRecoveredAndAppendsContinue() throws IOException {
        long entry;
        try (DatasetCache cache = DatasetCache.open(dir, G)) {
            long[] at = appendOneByOne(cache, five());
            entry = cache.stats().bytes() - at[4];
        }
        long size = Files.size(segment(1));
        try (RandomAccessFile f = new RandomAccessFile(segment(1).toFile(), "rw")) {
            f.setLength(size - 7);
        }
        try (DatasetCache cache = DatasetCache.open(dir, G)) {
            assertEquals(entry - 7, cache.recoveredTornBytes());
            assertEquals(4, cache.stats().samples());
            assertFalse(cache.get("id-4").isPresent());
            cache.appendAll(List.of(sample("id-4", "even", 4)));
        }
        try (DatasetCache cache = DatasetCache.open(dir, G)) {
            assertEquals(0, cache.recoveredTornBytes());
            assertEquals(5, cache.stats().samples());
            assertEquals(size, cache.stats().bytes());
        }
    }

    @Test
    void garbageTailIsRecovered() throws IOException {
        try (DatasetCache cache = DatasetCache.open(dir, G)) {
            cache.appendAll(five());
        }
        long size = Files.size(segment(1));
        Files.write(segment(1), "partial entry garbage".getBytes(StandardCharsets.US_ASCII), StandardOpenOption.APPEND);
        try (DatasetCache cache = DatasetCache.open(dir, G)) {
            assertEquals(21, cache.recoveredTornBytes());
            assertEquals(5, cache.stats().samples());
            assertEquals(size, Files.size(segment(1)));
            cache.appendAll(List.of(sample("id-5", "odd", 5)));
        }
        try (DatasetCache cache = DatasetCache.open(dir, G)) {
            assertEquals(6, cache.stats().samples());
            assertEquals(0, cache.recoveredTornBytes());
        }
    }

    @Test
    void crcMismatchInTheLastEntryIsATornTail() throws IOException {
        try (DatasetCache cache = DatasetCache.open(dir, G)) {
            cache.appendAll(five());
        }
        long size = Files.size(segment(1));
        flipByte(segment(1), size - 10);
        try (DatasetCache cache = DatasetCache.open(dir, G)) {
            assertEquals(4, cache.stats().samples());
            assertTrue(cache.recoveredTornBytes() > 784, "the whole last entry goes: " + cache.recoveredTornBytes());
        }
    }

    @Test
    void corruptionBeforeValidEntriesFailsNamingFileAndOffset() throws IOException {
        long[] at;
        try (DatasetCache cache = DatasetCache.open(dir, G)) {
            at = appendOneByOne(cache, five());
        }
        flipByte(segment(1), at[2] + 100);
        IOException e = assertThrows(IOException.class, () -> DatasetCache.open(dir, G));
        assertTrue(e.getMessage().contains(segment(1).toString()), e.getMessage());
        assertTrue(e.getMessage().contains("corrupt at offset " + at[2] + ": CRC mismatch"), e.getMessage());
        assertTrue(e.getMessage().contains("valid entry follows at offset " + at[3]), e.getMessage());
        // The failed open released the lock, and nothing was truncated.
        flipByte(segment(1), at[2] + 100);
        try (DatasetCache cache = DatasetCache.open(dir, G)) {
            assertEquals(5, cache.stats().samples());
        }
    }

    private static void flipByte(Path file, long position) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(position);
            int b = f.read();
            f.seek(position);
            f.write(b ^ 0x5A);
        }
    }

    @Test
    void anotherGeometryIsRefusedNamingBoth() throws IOException {
        try (DatasetCache cache = DatasetCache.open(dir, G)) {
            cache.appendAll(five());
        }
        IOException e = assertThrows(IOException.class, () -> DatasetCache.open(dir, new ImageGeometry(3, 32, 32)));
        assertTrue(e.getMessage().contains("holds 1x28x28 images but was opened for 3x32x32"), e.getMessage());
    }

    @Test
    void tenThousandSamplesInBatchesSurviveReopen() throws IOException {
        long t0 = System.nanoTime();
        try (DatasetCache cache = DatasetCache.open(dir, G)) {
            byte[] base = new byte[G.pixels()];
            new Random(7).nextBytes(base);
            for (int b = 0; b < 20; b++) {
                List<Sample> batch = new ArrayList<>();
                for (int i = 0; i < 500; i++) {
                    int n = b * 500 + i;
                    byte[] pixels = base.clone();
                    pixels[0] = (byte) n;
                    pixels[1] = (byte) (n >> 8);
                    batch.add(new Sample(String.format("fashion-mnist/train/%06d", n), "c" + n % 10, pixels,
                            "fashion-mnist", "train"));
                }
                assertEquals(new DatasetCache.AppendResult(500, 0, 0), cache.appendAll(batch));
            }
        }
        long t1 = System.nanoTime();
        ImageSet set;
        try (DatasetCache cache = DatasetCache.open(dir, G)) {
            assertEquals(10_000, cache.stats().samples());
            assertEquals(0, cache.recoveredTornBytes());
            set = cache.snapshot(null);
        }
        long t2 = System.nanoTime();
        System.out.printf("DatasetCache: 10,000 samples appended in 20 fsynced batches in %d ms; reopen + snapshot %d ms%n",
                (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000);
        assertEquals(10_000, set.size());
        for (int i = 0; i < set.size(); i += 997) {
            int o = set.offset(i);
            assertEquals(i, (set.pixels()[o] & 0xFF) | (set.pixels()[o + 1] & 0xFF) << 8, "sample order by id");
            assertEquals(i % 10, set.label(i));
        }
    }

    @Test
    void snapshotIsOrderedByIdWithStableLabelIds() throws IOException {
        try (DatasetCache cache = DatasetCache.open(dir, G)) {
            assertThrows(IllegalStateException.class, () -> cache.snapshot(null));
            cache.appendAll(List.of(sample("c", "zebra", 1), sample("a", "mango", 2), sample("d", "apple", 3)));
            cache.appendAll(List.of(sample("b", "mango", 5)));
            ImageSet sorted = cache.snapshot(null);
            assertEquals(List.of("apple", "mango", "zebra"), sorted.labelNames());
            assertArrayEquals(new int[] {1, 1, 2, 0}, sorted.labels());
            assertEquals(sample("c", "zebra", 1).pixels()[9], sorted.pixels()[sorted.offset(2) + 9]);
            assertArrayEquals(cache.get("b").orElseThrow().pixels(),
                    java.util.Arrays.copyOfRange(sorted.pixels(), sorted.offset(1), sorted.offset(2)));

            ImageSet given = cache.snapshot(List.of("zebra", "mango", "apple", "unseen"));
            assertEquals(4, given.numClasses());
            assertArrayEquals(new int[] {1, 1, 0, 2}, given.labels());
            assertArrayEquals(sorted.pixels(), given.pixels());

            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> cache.snapshot(List.of("mango")));
            assertTrue(e.getMessage().contains("[apple, zebra]"), e.getMessage());

            // Only "b" (seed 5) has the test hint; class ids still come from the whole cache.
            ImageSet test = cache.snapshot(null, "test");
            assertEquals(1, test.size());
            assertEquals(sorted.labelNames(), test.labelNames());
            assertEquals(1, test.label(0));
        }
        try (DatasetCache cache = DatasetCache.open(dir, G)) {
            ImageSet again = cache.snapshot(null);
            ImageSet twice = cache.snapshot(null);
            assertArrayEquals(again.pixels(), twice.pixels());
            assertArrayEquals(new int[] {1, 1, 2, 0}, again.labels());
        }
    }

    @Test
    void offsetsAreSavedAtomicallyAndMerged() throws IOException {
        try (DatasetCache cache = DatasetCache.open(dir, G)) {
            assertEquals(Map.of(), cache.offsets());
            cache.saveOffsets(Map.of("labeled-images-0", 10L, "labeled-images-1", 3L));
            cache.saveOffsets(Map.of("labeled-images-0", 25L));
            assertEquals(Map.of("labeled-images-0", 25L, "labeled-images-1", 3L), cache.offsets());
            assertThrows(IllegalArgumentException.class, () -> cache.saveOffsets(Map.of("labeled-images-2", -1L)));
            assertEquals(Map.of("labeled-images-0", 25L, "labeled-images-1", 3L), cache.offsets());
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertFalse(files.anyMatch(p -> p.toString().endsWith(".tmp")), "no temporary file may remain");
        }
        // A crash while writing leaves a temporary file beside the intact old one.
        Files.writeString(dir.resolve("offsets.json.tmp"), "{\"labeled-images-0\": 9");
        try (DatasetCache cache = DatasetCache.open(dir, G)) {
            assertEquals(new TreeMap<>(Map.of("labeled-images-0", 25L, "labeled-images-1", 3L)), cache.offsets());
            assertFalse(Files.exists(dir.resolve("offsets.json.tmp")));
        }
    }

    @Test
    void compactionKeepsOnlyLiveEntries() throws IOException {
        ImageSet before;
        long liveBytes;
        try (DatasetCache cache = DatasetCache.open(dir, G)) {
            List<Sample> samples = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                samples.add(sample("id-" + i, "lab-1", i));
            }
            cache.appendAll(samples);
            liveBytes = cache.stats().bytes();
            assertFalse(cache.compactIfNeeded(), "nothing is superseded yet");
            // Labels of equal length keep every entry the same size, so the byte counts are exact.
            for (int round = 2; round <= 3; round++) {
                String suffix = "-" + round;
                cache.appendAll(samples.stream()
                        .map(s -> new Sample(s.id(), (s.id().endsWith("7") ? "odd" : "lab") + suffix, s.pixels(),
                                s.source(), s.split()))
                        .toList());
            }
            assertEquals(2 * liveBytes, cache.stats().supersededBytes());
            before = cache.snapshot(null);
            assertTrue(cache.compactIfNeeded());
            DatasetCache.Stats stats = cache.stats();
            assertEquals(liveBytes, stats.bytes());
            assertEquals(0, stats.supersededBytes());
            assertEquals(1, stats.segments());
            assertEquals(Map.of("lab-3", 90, "odd-3", 10), stats.perLabel());
            assertFalse(Files.exists(segment(1)));
            assertEquals(liveBytes, Files.size(segment(2)));
            assertArrayEquals(before.pixels(), cache.snapshot(null).pixels());
            cache.appendAll(List.of(sample("id-new", "odd-3", 1000)));
        }
        try (DatasetCache cache = DatasetCache.open(dir, G)) {
            assertEquals(101, cache.stats().samples());
            assertEquals(0, cache.stats().supersededBytes());
            assertEquals(Map.of("lab-3", 90, "odd-3", 11), cache.stats().perLabel());
            assertEquals("odd-3", cache.get("id-17").orElseThrow().label());
            assertEquals(sample("id-42", "lab-3", 42), cache.get("id-42").orElseThrow());
        }
    }

    @Test
    void oneWriterAtATimeAndDeleteRemovesTheCache() throws IOException {
        Path cacheDir = dir.resolve("cache");
        try (DatasetCache cache = DatasetCache.open(cacheDir, G)) {
            cache.appendAll(five());
            cache.saveOffsets(Map.of("labeled-images-0", 5L));
            IOException twice = assertThrows(IOException.class, () -> DatasetCache.open(cacheDir, G));
            assertTrue(twice.getMessage().contains("already open"), twice.getMessage());
            assertThrows(IOException.class, () -> DatasetCache.delete(cacheDir));
        }
        DatasetCache.delete(cacheDir);
        assertFalse(Files.exists(cacheDir));
        try (DatasetCache cache = DatasetCache.open(cacheDir, G)) {
            assertEquals(0, cache.stats().samples());
            assertEquals(Map.of(), cache.offsets(), "a rebuilt cache replays from the start");
        }
    }

    @Test
    void badSamplesAreRefusedBeforeAnythingIsWritten() throws IOException {
        try (DatasetCache cache = DatasetCache.open(dir, G)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> cache.appendAll(List.of(
                    sample("ok", "a", 1), new Sample("short", "a", new byte[10], "", ""))));
            assertTrue(e.getMessage().contains("'short' has 10 pixel values"), e.getMessage());
            assertEquals(0, cache.stats().bytes());
            assertNotEquals(0, cache.appendAll(List.of(sample("ok", "a", 1))).added());
        }
    }
}
