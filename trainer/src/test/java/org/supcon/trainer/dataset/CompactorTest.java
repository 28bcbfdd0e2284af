package org.supcon.trainer.dataset;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.supcon.trainer.images.ImageGeometry;
import org.supcon.trainer.images.ImageSet;

class CompactorTest {

    private static final ImageGeometry G = new ImageGeometry(1, 8, 8);

    @TempDir
    Path dir;

    private static Sample sample(String id, String label, int seed) {
        byte[] pixels = new byte[G.pixels()];
        new Random(seed).nextBytes(pixels);
        return new Sample(id, label, pixels, "unit-test", "train");
    }

    @Test
    void compactionPaysOnceMoreThanHalfIsSuperseded() {
        assertFalse(Compactor.worthIt(50, 100));
        assertTrue(Compactor.worthIt(51, 100));
        assertFalse(Compactor.worthIt(0, 0));
    }

    /** A crash after the new segment is renamed into place but before the old ones are deleted. */
    @Test
    void oldSegmentsLeftBesideTheCompactedOneReadTheSame() throws IOException {
        Path backup = Files.createDirectory(dir.resolve("backup"));
        Path cacheDir = dir.resolve("cache");
        ImageSet before;
        try (DatasetCache cache = DatasetCache.open(cacheDir, G)) {
            List<Sample> samples = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                samples.add(sample(String.format("id-%02d", i), "old", i));
            }
            cache.appendAll(samples);
            cache.appendAll(samples.stream().map(s -> new Sample(s.id(), "new", s.pixels(), s.source(), s.split())).toList());
            cache.appendAll(List.of(sample("id-03", "odd", 3)));
            before = cache.snapshot(null);
            Files.copy(cacheDir.resolve("segment-000001.log"), backup.resolve("segment-000001.log"));
            cache.compact();
            assertFalse(Files.exists(cacheDir.resolve("segment-000001.log")));
            // Ids and labels of equal length make every entry the same size.
            assertEquals(20L * EntryCodec.encode(sample("id-10", "new", 10)).size(),
                    Files.size(cacheDir.resolve("segment-000002.log")), "only the latest entry of each id is kept");
        }
        Files.copy(backup.resolve("segment-000001.log"), cacheDir.resolve("segment-000001.log"));
        try (DatasetCache cache = DatasetCache.open(cacheDir, G)) {
            assertEquals(2, cache.stats().segments());
            assertEquals(0, cache.recoveredTornBytes());
            ImageSet reread = cache.snapshot(null);
            assertEquals(before.labelNames(), reread.labelNames());
            assertArrayEquals(before.labels(), reread.labels());
            assertArrayEquals(before.pixels(), reread.pixels());
            assertEquals("odd", cache.get("id-03").orElseThrow().label());
        }
    }
}
