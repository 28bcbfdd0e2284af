package org.supcon.trainer.dataset;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.supcon.trainer.images.ImageGeometry;
import org.supcon.trainer.dataset.EntryCodec.Encoded;
import org.supcon.trainer.dataset.EntryCodec.Entry;
import org.supcon.trainer.dataset.EntryCodec.Header;

class EntryCodecTest {

    private static final ImageGeometry G = new ImageGeometry(1, 28, 28);
    private final EntryCodec codec = new EntryCodec(G);

    private static Sample sample(ImageGeometry g) {
        byte[] pixels = new byte[g.pixels()];
        new Random(3).nextBytes(pixels);
        return new Sample("fashion-mnist/train/000042", "Ankle boot", pixels, "fashion-mnist", "train");
    }

    private static byte[] bytes(Sample s) throws IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        Encoded e = EntryCodec.encode(s);
        e.writeTo(new DataOutputStream(buffer));
        assertEquals(e.size(), buffer.size());
        return buffer.toByteArray();
    }

    private Entry decode(byte[] entry) {
        Header h = codec.header(entry, 0, entry.length);
        return h.problem() != null ? Entry.problem(h.problem()) : codec.decode(entry, 0, h, true);
    }

    @Test
    void encodedEntryDecodesToTheSameSample() throws IOException {
        Sample s = sample(G);
        byte[] entry = bytes(s);
        Header h = codec.header(entry, 0, entry.length);
        assertNull(h.problem());
        assertEquals(entry.length, h.size());
        Entry r = codec.decode(entry, 0, h, true);
        assertNull(r.problem());
        assertEquals(s, new Sample(r.id(), r.label(), r.pixels(), r.source(), r.split()));
        assertEquals(entry.length, r.size());
        assertEquals(EntryCodec.encode(s).crc(), r.crc());
        assertNull(codec.decode(entry, 0, h, false).pixels(), "pixels are read only when asked for");
    }

    @Test
    void entryIsReadAtItsPositionInALargerBuffer() throws IOException {
        byte[] entry = bytes(sample(G));
        byte[] buf = new byte[entry.length + 10];
        System.arraycopy(entry, 0, buf, 7, entry.length);
        Header h = codec.header(buf, 7, entry.length);
        Entry r = codec.decode(buf, 7, h, true);
        assertNull(r.problem());
        assertArrayEquals(sample(G).pixels(), r.pixels());
    }

    @Test
    void aFlippedPayloadByteIsACrcMismatch() throws IOException {
        byte[] entry = bytes(sample(G));
        entry[entry.length - 100] ^= 0x01;
        Entry r = decode(entry);
        assertTrue(String.valueOf(r.problem()).startsWith("CRC mismatch (stored 0x"), r.problem());
    }

    @Test
    void damagedHeadersAreNamed() throws IOException {
        byte[] entry = bytes(sample(G));
        assertTrue(codec.header(entry, 0, entry.length - 1).problem().contains("runs past the end of the file"));

        byte[] badMagic = entry.clone();
        badMagic[0] = 'X';
        assertTrue(decode(badMagic).problem().startsWith("bad magic 0x58"), decode(badMagic).problem());

        byte[] badLength = entry.clone();
        badLength[4] = 0x7F;
        assertTrue(decode(badLength).problem().startsWith("implausible payload length"), decode(badLength).problem());
    }

    @Test
    void anEntryOfAnotherGeometryIsNotRead() throws IOException {
        Entry r = decode(bytes(sample(new ImageGeometry(3, 32, 32))));
        assertTrue(String.valueOf(r.problem()).contains("entry holds 3072 pixel values"), r.problem());
    }

    @Test
    void tooLongStringsAreRefused() {
        Sample s = new Sample("x".repeat(EntryCodec.MAX_STRING_BYTES + 1), "a", new byte[G.pixels()], "", "");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EntryCodec.encode(s));
        assertTrue(e.getMessage().contains("the limit is " + EntryCodec.MAX_STRING_BYTES), e.getMessage());
    }
}
