package org.supcon.trainer.images;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IdxReaderTest {

    private static final List<String> NAMES = List.of("a", "b", "c");

    @TempDir
    Path dir;

    /** IDX images {@code [count, rows, cols]} with the declared count, but only {@code pixels}. */
    static byte[] idxImages(int declaredCount, int rows, int cols, byte[] pixels) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(IdxReader.IMAGES_MAGIC);
        out.writeInt(declaredCount);
        out.writeInt(rows);
        out.writeInt(cols);
        out.write(pixels);
        return bytes.toByteArray();
    }

    static byte[] idxLabels(int... labels) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(IdxReader.LABELS_MAGIC);
        out.writeInt(labels.length);
        for (int l : labels) {
            out.writeByte(l);
        }
        return bytes.toByteArray();
    }

    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(bytes)) {
            out.write(data);
        }
        return bytes.toByteArray();
    }

    private static byte[] pattern(int n) {
        byte[] p = new byte[n];
        for (int i = 0; i < n; i++) {
            p[i] = (byte) (i * 37 + 11);
        }
        return p;
    }

    private Path write(String name, byte[] data) throws IOException {
        return Files.write(dir.resolve(name), data);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void roundTripsPlainAndGzipped(boolean gz) throws IOException {
        byte[] pixels = pattern(3 * 4 * 5);
        byte[] img = idxImages(3, 4, 5, pixels);
        byte[] lab = idxLabels(2, 0, 255 % 3);
        Path images = write("img.idx", gz ? gzip(img) : img);
        Path labels = write("lab.idx", gz ? gzip(lab) : lab);

        ImageSet set = IdxReader.read(images, labels, NAMES);

        assertEquals(new ImageGeometry(1, 4, 5), set.geometry());
        assertEquals(3, set.size());
        assertArrayEquals(pixels, set.pixels());
        assertArrayEquals(new int[] {2, 0, 0}, set.labels());
        assertEquals(pixels[20 + 2 * 5 + 3] & 0xFF, set.pixel(1, 0, 2, 3));
    }

    @Test
    void labelsAreUnsigned() throws IOException {
        assertArrayEquals(new int[] {200, 255, 0}, IdxReader.readLabels(write("l", idxLabels(200, 255, 0))));
    }

    @Test
    void truncatedPayloadIsReported() throws IOException {
        Path images = write("short.idx", idxImages(3, 4, 5, pattern(2 * 4 * 5)));
        DatasetException e = assertThrows(DatasetException.class, () -> IdxReader.readImages(images));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        assertTrue(e.getMessage().contains("expected 60 bytes"), e.getMessage());
    }

    @Test
    void truncatedHeaderIsReported() throws IOException {
        Path labels = write("header.idx", Arrays.copyOf(idxLabels(1, 2), 6));
        DatasetException e = assertThrows(DatasetException.class, () -> IdxReader.readLabels(labels));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        assertTrue(e.getMessage().contains("label count"), e.getMessage());
    }

    @Test
    void cutGzipStreamIsReportedAsTruncated() throws IOException {
        byte[] gz = gzip(idxImages(50, 10, 10, pattern(50 * 10 * 10)));
        Path images = write("cut.gz", Arrays.copyOf(gz, gz.length / 2));
        DatasetException e = assertThrows(DatasetException.class, () -> IdxReader.readImages(images));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void wrongMagicIsReported() throws IOException {
        Path labels = write("labels.idx", idxLabels(0, 1));
        DatasetException e = assertThrows(DatasetException.class, () -> IdxReader.readImages(labels));
        assertTrue(e.getMessage().contains("wrong magic"), e.getMessage());
        assertTrue(e.getMessage().contains("0x00000801"), e.getMessage());
    }

    @Test
    void countMismatchIsReported() throws IOException {
        Path images = write("i", idxImages(3, 2, 2, pattern(12)));
        Path labels = write("l", idxLabels(0, 1));
        DatasetException e = assertThrows(DatasetException.class, () -> IdxReader.read(images, labels, NAMES));
        assertTrue(e.getMessage().contains("count mismatch"), e.getMessage());
        assertTrue(e.getMessage().contains("3 images") && e.getMessage().contains("2 labels"), e.getMessage());
    }

    @Test
    void labelOutOfRangeIsReported() throws IOException {
        Path images = write("i", idxImages(2, 2, 2, pattern(8)));
        Path labels = write("l", idxLabels(1, 3));
        DatasetException e = assertThrows(DatasetException.class, () -> IdxReader.read(images, labels, NAMES));
        assertTrue(e.getMessage().contains("label 3 of item 1"), e.getMessage());
    }

    @Test
    void missingFileIsReported() {
        Path missing = dir.resolve("nope.idx");
        DatasetException e = assertThrows(DatasetException.class, () -> IdxReader.readLabels(missing));
        assertTrue(e.getMessage().contains("not found") && e.getMessage().contains("nope.idx"), e.getMessage());
    }
}
