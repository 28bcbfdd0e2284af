package org.supcon.trainer.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.supcon.trainer.images.ImageGeometry;

class SegmentLogTest {

    private static final ImageGeometry G = new ImageGeometry(1, 4, 4);
    private final EntryCodec codec = new EntryCodec(G);

    @TempDir
    Path dir;

    private static byte[] entry(String id) throws IOException {
        byte[] pixels = new byte[G.pixels()];
        Arrays.fill(pixels, (byte) id.hashCode());
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        EntryCodec.encode(new Sample(id, "label", pixels, "", "")).writeTo(new DataOutputStream(buffer));
        return buffer.toByteArray();
    }

    /** Opens the log and returns the ids it scanned, in order. */
    private SegmentLog open(List<String> ids) throws IOException {
        return SegmentLog.open(dir, codec, (id, location) -> ids.add(id));
    }

    @Test
    void aPartialLastEntryIsTruncated() throws IOException {
        try (SegmentLog log = open(new ArrayList<>())) {
            log.append(entry("a"));
            log.append(entry("b"));
        }
        Path segment = dir.resolve("segment-000001.log");
        long size = Files.size(segment);
        byte[] c = entry("c");
        Files.write(segment, Arrays.copyOf(c, c.length / 2), StandardOpenOption.APPEND);

        List<String> ids = new ArrayList<>();
        try (SegmentLog log = open(ids)) {
            assertEquals(List.of("a", "b"), ids);
            assertEquals(c.length / 2, log.recoveredTornBytes());
            assertEquals(size, Files.size(segment), "the torn tail is cut off on disk");
            assertEquals(size, log.bytes());
            assertEquals(size, log.end(), "the next append starts where the torn entry did");
            log.append(c);
        }
        ids.clear();
        try (SegmentLog log = open(ids)) {
            assertEquals(List.of("a", "b", "c"), ids);
            assertEquals(0, log.recoveredTornBytes());
        }
    }

    @Test
    void aDamagedTailOfAnOlderSegmentIsCorruption() throws IOException {
        try (SegmentLog log = open(new ArrayList<>())) {
            log.append(entry("a"));
        }
        Path first = dir.resolve("segment-000001.log");
        Files.write(first, new byte[] {1, 2, 3}, StandardOpenOption.APPEND);
        Files.createFile(dir.resolve("segment-000002.log"));
        IOException e = assertThrows(IOException.class, () -> open(new ArrayList<>()));
        assertTrue(e.getMessage().contains(first + " is corrupt at offset " + entry("a").length), e.getMessage());
        assertTrue(e.getMessage().contains("it is not the last segment"), e.getMessage());
        assertEquals(entry("a").length + 3, Files.size(first), "nothing is truncated then");
    }

    @Test
    void laterSegmentsAreReadLaterAndOnlyTheLastIsAppendedTo() throws IOException {
        Files.write(dir.resolve("segment-000007.log"), entry("late"));
        Files.write(dir.resolve("segment-000003.log"), entry("early"));
        List<String> ids = new ArrayList<>();
        try (SegmentLog log = open(ids)) {
            assertEquals(List.of("early", "late"), ids);
            assertEquals(7, log.active());
            assertEquals(2, log.segmentCount());
            log.append(entry("next"));
        }
        assertEquals(entry("late").length + entry("next").length, Files.size(dir.resolve("segment-000007.log")));
    }
}
