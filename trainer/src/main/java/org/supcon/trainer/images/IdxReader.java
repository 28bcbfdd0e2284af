package org.supcon.trainer.images;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads the IDX format of MNIST and Fashion-MNIST, gzipped or plain (detected by the gzip magic
 * {@code 1f 8b}, not by the file name).
 *
 * <p>Supported: images {@code 0x00000803} (uint8, {@code [count, rows, cols]}) and labels
 * {@code 0x00000801} (uint8, {@code [count]}); header integers are big-endian. Bytes after the
 * declared payload are ignored.
 */
public final class IdxReader {

    /** Magic of a uint8 tensor with 3 dimensions: {@code [count, rows, cols]}. */
    public static final int IMAGES_MAGIC = 0x00000803;
    /** Magic of a uint8 tensor with 1 dimension: {@code [count]}. */
    public static final int LABELS_MAGIC = 0x00000801;

    private static final int BUFFER = 1 << 16;

    private IdxReader() {
    }

    /**
     * Grayscale images as read from an IDX file.
     *
     * @param pixels {@code count * rows * cols} uint8 values, row-major per image
     */
    public record Images(int count, int rows, int cols, byte[] pixels) {
    }

    /**
     * Reads an image file and its label file into an {@link ImageSet} of geometry
     * {@code 1 x rows x cols}.
     *
     * @param labelNames class names; every label must be an index into it
     * @throws DatasetException if a file is missing, truncated or malformed, the counts differ,
     *     or a label is out of range
     */
    public static ImageSet read(Path images, Path labels, List<String> labelNames) throws IOException {
        Objects.requireNonNull(labelNames, "labelNames");
        Images img = readImages(images);
        int[] lab = readLabels(labels);
        if (img.count() != lab.length) {
            throw new DatasetException("count mismatch: " + images + " has " + img.count() + " images but "
                    + labels + " has " + lab.length + " labels");
        }
        for (int i = 0; i < lab.length; i++) {
            if (lab[i] >= labelNames.size()) {
                throw new DatasetException("label " + lab[i] + " of item " + i + " in " + labels
                        + " is out of range: only " + labelNames.size() + " label names " + labelNames);
            }
        }
        return new ImageSet(new ImageGeometry(1, img.rows(), img.cols()), labelNames, img.pixels(), lab);
    }

    /** Reads an IDX images file (magic {@code 0x00000803}). */
    public static Images readImages(Path file) throws IOException {
        try (InputStream in = open(file)) {
            int magic = readInt(in, file, "magic number");
            if (magic != IMAGES_MAGIC) {
                throw wrongMagic(file, magic, IMAGES_MAGIC, "images");
            }
            int count = readInt(in, file, "image count");
            int rows = readInt(in, file, "row count");
            int cols = readInt(in, file, "column count");
            if (count < 0 || rows <= 0 || cols <= 0) {
                throw new DatasetException("invalid IDX images header in " + file + ": count " + count
                        + ", rows " + rows + ", cols " + cols);
            }
            long size = (long) count * rows * cols;
            if (size > Integer.MAX_VALUE - 8) {
                throw new DatasetException("IDX images file " + file + " declares " + count + " images of "
                        + rows + "x" + cols + ", too large to hold in memory");
            }
            byte[] pixels = readFully(in, file, (int) size, count + " images of " + rows + "x" + cols);
            return new Images(count, rows, cols, pixels);
        }
    }

    /** Reads an IDX labels file (magic {@code 0x00000801}); values are 0..255. */
    public static int[] readLabels(Path file) throws IOException {
        try (InputStream in = open(file)) {
            int magic = readInt(in, file, "magic number");
            if (magic != LABELS_MAGIC) {
                throw wrongMagic(file, magic, LABELS_MAGIC, "labels");
            }
            int count = readInt(in, file, "label count");
            if (count < 0 || count > Integer.MAX_VALUE - 8) {
                throw new DatasetException("invalid IDX labels header in " + file + ": count " + count);
            }
            byte[] raw = readFully(in, file, count, count + " labels");
            int[] labels = new int[count];
            for (int i = 0; i < count; i++) {
                labels[i] = raw[i] & 0xFF;
            }
            return labels;
        }
    }

    private static InputStream open(Path file) throws IOException {
        InputStream raw;
        try {
            raw = Files.newInputStream(file);
        } catch (NoSuchFileException e) {
            throw new DatasetException("IDX file not found: " + file, e);
        }
        BufferedInputStream in = new BufferedInputStream(raw, BUFFER);
        try {
            in.mark(2);
            int b0 = in.read();
            int b1 = in.read();
            in.reset();
            if (b0 == 0x1f && b1 == 0x8b) {
                return new GZIPInputStream(in, BUFFER);
            }
            return in;
        } catch (IOException e) {
            in.close();
            throw new DatasetException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static int readInt(InputStream in, Path file, String what) throws IOException {
        byte[] b = readFully(in, file, 4, "the header (" + what + ")");
        return ((b[0] & 0xFF) << 24) | ((b[1] & 0xFF) << 16) | ((b[2] & 0xFF) << 8) | (b[3] & 0xFF);
    }

    private static byte[] readFully(InputStream in, Path file, int size, String what) throws IOException {
        byte[] data;
        try {
            data = in.readNBytes(size);
        } catch (EOFException | ZipException e) {
            // A cut-off gzip stream fails inside the inflater instead of returning a short read.
            throw new DatasetException("truncated or corrupt file " + file + ": stream ended while reading "
                    + what + " (" + e.getMessage() + ")", e);
        }
        if (data.length < size) {
            throw new DatasetException("truncated file " + file + ": expected " + size + " bytes for " + what
                    + " but only " + data.length + " remain");
        }
        return data;
    }

    private static DatasetException wrongMagic(Path file, int magic, int expected, String kind) {
        String hint = magic == IMAGES_MAGIC ? " (that is an images file)"
                : magic == LABELS_MAGIC ? " (that is a labels file)" : "";
        return new DatasetException(String.format("wrong magic number in %s: expected 0x%08x (IDX uint8 %s), got 0x%08x%s",
                file, expected, kind, magic, hint));
    }
}
