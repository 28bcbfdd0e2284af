package org.supcon.trainer.dataset;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.zip.CRC32;
import org.supcon.trainer.images.ImageGeometry;

/**
 * The format of one segment entry, kept apart from the files so it can be checked byte by byte:
 * {@code int magic "SCE1"}, {@code int payloadLength}, {@code int crc32(payload)}, then the payload:
 * id, label, source, split (each {@code int length} + UTF-8 bytes) and the pixels ({@code int length}
 * + CHW uint8 bytes of the geometry).
 *
 * <p>Decoding never throws on bad bytes: it says what is wrong in {@link Entry#problem()}, because
 * the {@link SegmentLog} decides whether damage is a torn tail or corruption.
 */
final class EntryCodec {

    /** "SCE1": supcon cache entry, format 1. */
    static final int MAGIC = 0x53434531;
    /** Bytes of magic, payload length and CRC before the payload. */
    static final int HEADER = 12;
    /** Longest string field accepted, in UTF-8 bytes. */
    static final int MAX_STRING_BYTES = 1 << 16;

    /**
     * A parsed entry, or {@code problem} saying why the bytes are not one.
     *
     * @param pixels null unless asked for
     * @param size bytes of the whole entry, header included
     */
    record Entry(String id, String label, String source, String split, byte[] pixels, int size, int crc,
                 String problem) {
        static Entry problem(String problem) {
            return new Entry(null, null, null, null, null, 0, 0, problem);
        }
    }

    /** What an entry header announces, or {@code problem} saying why it is not a header. */
    record Header(int payloadLength, int crc, String problem) {
        /** Bytes of the whole entry. */
        int size() {
            return HEADER + payloadLength;
        }
    }

    /** A sample's payload and its CRC, ready to be written as an entry. */
    record Encoded(byte[] payload, int crc) {
        int size() {
            return HEADER + payload.length;
        }

        void writeTo(DataOutputStream out) throws IOException {
            out.writeInt(MAGIC);
            out.writeInt(payload.length);
            out.writeInt(crc);
            out.write(payload);
        }
    }

    private final ImageGeometry geometry;
    private final int maxPayload;

    EntryCodec(ImageGeometry geometry) {
        this.geometry = geometry;
        this.maxPayload = 4 * (4 + MAX_STRING_BYTES) + 4 + geometry.pixels();
    }

    /** Room for a batch of {@code n} entries with short strings, so a batch buffer need not grow. */
    int typicalSize(int n) {
        return (int) Math.min(Integer.MAX_VALUE - 8, (long) n * (HEADER + 4 * 4 + 128 + 4 + geometry.pixels()));
    }

    /** @throws IllegalArgumentException if a string field is longer than {@link #MAX_STRING_BYTES} */
    static Encoded encode(Sample s) throws IOException {
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
        byte[] payload = buffer.toByteArray();
        CRC32 crc = new CRC32();
        crc.update(payload);
        return new Encoded(payload, (int) crc.getValue());
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }

    /**
     * Reads the header at {@code buf[at, at + HEADER)}.
     *
     * @param left bytes from the start of the entry to the end of the file, at least {@link #HEADER}
     */
    Header header(byte[] buf, int at, long left) {
        ByteBuffer h = ByteBuffer.wrap(buf, at, HEADER);
        int magic = h.getInt();
        int length = h.getInt();
        int crc = h.getInt();
        if (magic != MAGIC) {
            return new Header(0, 0, String.format(Locale.ROOT, "bad magic 0x%08x", magic));
        }
        if (length < 20 || length > maxPayload) {
            return new Header(0, 0, "implausible payload length " + length);
        }
        if (length > left - HEADER) {
            return new Header(0, 0, "entry of " + (HEADER + length) + " bytes runs past the end of the file ("
                    + left + " bytes left)");
        }
        return new Header(length, crc, null);
    }

    /**
     * Checks the CRC of the entry at {@code buf[at, at + header.size())} and parses its payload.
     *
     * @param header what {@link #header} read at {@code at}, without a problem
     */
    Entry decode(byte[] buf, int at, Header header, boolean withPixels) {
        int length = header.payloadLength();
        CRC32 crc32 = new CRC32();
        crc32.update(buf, at + HEADER, length);
        if ((int) crc32.getValue() != header.crc()) {
            return Entry.problem(String.format(Locale.ROOT, "CRC mismatch (stored 0x%08x, computed 0x%08x)",
                    header.crc(), (int) crc32.getValue()));
        }
        ByteBuffer p = ByteBuffer.wrap(buf, at + HEADER, length);
        try {
            String id = string(p);
            String label = string(p);
            String source = string(p);
            String split = string(p);
            int n = p.getInt();
            if (n != geometry.pixels() || n != p.remaining()) {
                return Entry.problem("entry holds " + n + " pixel values in " + p.remaining() + " bytes, "
                        + geometry + " images need " + geometry.pixels());
            }
            byte[] pixels = null;
            if (withPixels) {
                pixels = new byte[n];
                p.get(pixels);
            }
            return new Entry(id, label, source, split, pixels, header.size(), header.crc(), null);
        } catch (RuntimeException e) {
            return Entry.problem("payload does not parse: " + e);
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
}
