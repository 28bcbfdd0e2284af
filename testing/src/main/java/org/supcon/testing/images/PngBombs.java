package org.supcon.testing.images;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/** Hand-made PNG files that are small on disk and large when decoded (decompression bombs). */
public final class PngBombs {

    private PngBombs() {
    }

    /** PNG colour types: 0 gray, 2 RGB, 6 RGBA. */
    public static final int GRAY = 0;
    public static final int RGB = 2;
    public static final int RGBA = 6;

    /**
     * A valid PNG of {@code width x height} all-zero pixels (filter byte 0 on every row): a few KB
     * to a few tens of KB on disk whatever its declared size.
     */
    public static byte[] zeros(int width, int height, int colorType, int bitDepth) {
        return png(width, height, colorType, bitDepth, height);
    }

    /**
     * A PNG whose header declares {@code width x height} but whose compressed data holds only the
     * first {@code rows} rows: a complete decode would fail as truncated, so a refusal for size
     * proves the header was checked first.
     */
    public static byte[] png(int width, int height, int colorType, int bitDepth, int rows) {
        int samples = switch (colorType) {
            case GRAY -> 1;
            case RGB -> 3;
            case RGBA -> 4;
            default -> throw new IllegalArgumentException("colour type " + colorType);
        };
        long rowBytes = 1 + (long) width * samples * bitDepth / 8;
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION);
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        byte[] zeros = new byte[1 << 16];
        byte[] buf = new byte[1 << 16];
        long left = rowBytes * rows;
        while (left > 0) {
            int n = (int) Math.min(zeros.length, left);
            deflater.setInput(zeros, 0, n);
            left -= n;
            while (!deflater.needsInput()) {
                idat.write(buf, 0, deflater.deflate(buf));
            }
        }
        deflater.finish();
        while (!deflater.finished()) {
            idat.write(buf, 0, deflater.deflate(buf));
        }
        deflater.end();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        chunk(out, "IHDR", ByteBuffer.allocate(13).putInt(width).putInt(height).put((byte) bitDepth)
                .put((byte) colorType).put((byte) 0).put((byte) 0).put((byte) 0).array());
        chunk(out, "IDAT", idat.toByteArray());
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        out.writeBytes(t);
        out.writeBytes(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }
}
