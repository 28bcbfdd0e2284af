package org.supcon.trainer.dataset;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.supcon.proto.v1.ImageEncoding;
import org.supcon.proto.v1.LabeledImage;
import org.supcon.trainer.images.ImageGeometry;
import org.supcon.trainer.dataset.Validation.Accepted;
import org.supcon.trainer.dataset.Validation.Reason;
import org.supcon.trainer.dataset.Validation.Rejected;

class RecordValidatorTest {

    private static final ImageGeometry MNIST = new ImageGeometry(1, 28, 28);
    private static final RecordValidator VALIDATOR = new RecordValidator(new ValidationLimits(1 << 20, 64, 64, MNIST));

    private static LabeledImage.Builder raw(int w, int h, int c, byte[] hwc) {
        return LabeledImage.newBuilder()
                .setId("test/raw/1")
                .setLabel("Sneaker")
                .setSource("unit-test")
                .setSplit("train")
                .setEncoding(ImageEncoding.IMAGE_ENCODING_RAW_U8)
                .setWidth(w)
                .setHeight(h)
                .setChannels(c)
                .setImage(ByteString.copyFrom(hwc));
    }

    private static LabeledImage.Builder encoded(byte[] file) {
        return LabeledImage.newBuilder()
                .setId("folder/boot/a.png")
                .setLabel("boot")
                .setEncoding(ImageEncoding.IMAGE_ENCODING_ENCODED)
                .setImage(ByteString.copyFrom(file));
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static byte[] write(BufferedImage image, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(ImageIO.write(image, format, out), "no ImageIO writer for " + format);
        return out.toByteArray();
    }

    private static BufferedImage noisyGray(int w, int h, long seed) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        Random random = new Random(seed);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.getRaster().setSample(x, y, 0, random.nextInt(256));
            }
        }
        return img;
    }

    private static Rejected rejected(Validation v, Reason reason) {
        Rejected r = assertInstanceOf(Rejected.class, v, () -> "expected a rejection for " + reason + ", got " + v);
        assertEquals(reason, r.reason(), r.message());
        return r;
    }

    private static Sample accepted(Validation v) {
        return assertInstanceOf(Accepted.class, v, () -> "expected acceptance, got " + v).sample();
    }

    @Test
    void garbageAndNullAreMalformed() {
        // Field 1 (id) announces 16 bytes but one follows.
        Rejected r = rejected(VALIDATOR.validate(new byte[] {0x0A, 0x10, 'a'}), Reason.MALFORMED_RECORD);
        assertTrue(r.message().contains("not a LabeledImage protobuf"), r.message());
        assertTrue(r.message().contains("truncated"), r.message());
        rejected(VALIDATOR.validate(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF}), Reason.MALFORMED_RECORD);
        assertTrue(rejected(VALIDATOR.validate(null), Reason.MALFORMED_RECORD).message().contains("tombstone"));
    }

    @Test
    void missingIdAndLabel() {
        byte[] pixels = new byte[784];
        assertEquals("id is empty", rejected(VALIDATOR.validate(raw(28, 28, 1, pixels).setId("").build().toByteArray()),
                Reason.MISSING_ID).message());
        rejected(VALIDATOR.validate(raw(28, 28, 1, pixels).setId(" \t ").build().toByteArray()), Reason.MISSING_ID);
        assertEquals("label is empty", rejected(VALIDATOR.validate(raw(28, 28, 1, pixels).setLabel("").build().toByteArray()),
                Reason.MISSING_LABEL).message());
        // An empty value parses as an empty record: no id.
        rejected(VALIDATOR.validate(new byte[0]), Reason.MISSING_ID);
    }

    @Test
    void invalidTextFields() {
        byte[] pixels = new byte[784];
        Rejected id = rejected(VALIDATOR.validate(raw(28, 28, 1, pixels).setId("a\nb").build().toByteArray()),
                Reason.INVALID_ID);
        assertEquals("id contains control character U+000A at index 1", id.message());
        Rejected longLabel = rejected(VALIDATOR.validate(raw(28, 28, 1, pixels).setLabel("x".repeat(513)).build()
                .toByteArray()), Reason.INVALID_LABEL);
        assertEquals("label is 513 characters, the limit is 512", longLabel.message());
        rejected(VALIDATOR.validate(raw(28, 28, 1, pixels).setLabel("Sneaker ").build().toByteArray()),
                Reason.INVALID_LABEL);
        Rejected split = rejected(VALIDATOR.validate(raw(28, 28, 1, pixels).setSplit("training").build().toByteArray()),
                Reason.INVALID_METADATA);
        assertTrue(split.message().contains("'training'"), split.message());
    }

    @Test
    void unknownEncoding() {
        byte[] pixels = new byte[784];
        rejected(VALIDATOR.validate(raw(28, 28, 1, pixels).setEncoding(ImageEncoding.IMAGE_ENCODING_UNSPECIFIED).build()
                .toByteArray()), Reason.UNKNOWN_ENCODING);
        Rejected future = rejected(VALIDATOR.validate(raw(28, 28, 1, pixels).setEncodingValue(7).build().toByteArray()),
                Reason.UNKNOWN_ENCODING);
        assertTrue(future.message().contains("value 7"), future.message());
    }

    @Test
    void rawSizeMismatchStatesBothNumbers() {
        Rejected r = rejected(VALIDATOR.validate(raw(28, 28, 1, new byte[700]).build().toByteArray()),
                Reason.RAW_SIZE_MISMATCH);
        assertEquals("raw image declares 28x28x1 = 784 bytes but carries 700", r.message());
    }

    @Test
    void badRawGeometry() {
        assertEquals("raw image declares 4 channels, expected 1 or 3",
                rejected(VALIDATOR.validate(raw(28, 28, 4, new byte[28 * 28 * 4]).build().toByteArray()),
                        Reason.BAD_GEOMETRY).message());
        rejected(VALIDATOR.validate(raw(0, 28, 1, new byte[0]).build().toByteArray()), Reason.BAD_GEOMETRY);
    }

    @Test
    void rawPassthroughIsByteExact() {
        byte[] pixels = random(784, 1);
        Sample s = accepted(VALIDATOR.validate(raw(28, 28, 1, pixels).build().toByteArray()));
        assertArrayEquals(pixels, s.pixels());
        assertEquals(new Sample("test/raw/1", "Sneaker", pixels, "unit-test", "train"), s);
    }

    @Test
    void rawRgbIsTransposedToPlanes() {
        ImageGeometry rgb = new ImageGeometry(3, 2, 2);
        RecordValidator v = new RecordValidator(ValidationLimits.defaults(rgb));
        // HWC: pixel p has (R, G, B) = (p, 10 + p, 20 + p).
        byte[] hwc = {0, 10, 20, 1, 11, 21, 2, 12, 22, 3, 13, 23};
        Sample s = accepted(v.validate(raw(2, 2, 3, hwc).build().toByteArray()));
        assertArrayEquals(new byte[] {0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23}, s.pixels());
    }

    @Test
    void truncatedPngIsUndecodable() throws IOException {
        byte[] png = write(noisyGray(28, 28, 2), "png");
        byte[] half = Arrays.copyOf(png, png.length / 2);
        Rejected r = rejected(VALIDATOR.validate(encoded(half).build().toByteArray()), Reason.UNDECODABLE_IMAGE);
        assertTrue(r.message().startsWith("PNG of " + half.length + " bytes cannot be decoded"), r.message());
        Rejected text = rejected(VALIDATOR.validate(encoded("hello".getBytes()).build().toByteArray()),
                Reason.UNDECODABLE_IMAGE);
        assertTrue(text.message().contains("neither PNG nor JPEG"), text.message());
    }

    @Test
    void oversizedImageIsRejectedFromItsHeader() throws IOException {
        Rejected r = rejected(VALIDATOR.validate(encoded(write(noisyGray(100, 40, 3), "png")).build().toByteArray()),
                Reason.TOO_LARGE);
        assertEquals("image is 100x40, the limit is 64x64", r.message());
        // A PNG whose header claims 100000x100000 but has no pixel data: a full decode would fail
        // (or exhaust memory); the header check rejects it first.
        byte[] bomb = withIhdrSize(write(noisyGray(8, 8, 4), "png"), 100_000, 100_000);
        assertEquals("image is 100000x100000, the limit is 64x64",
                rejected(VALIDATOR.validate(encoded(bomb).build().toByteArray()), Reason.TOO_LARGE).message());
        // the same for a JPEG whose SOF0 claims 60000x60000
        byte[] jpegBomb = withSofSize(write(noisyGray(8, 8, 5), "jpeg"), 60_000, 60_000);
        assertEquals("image is 60000x60000, the limit is 64x64",
                rejected(VALIDATOR.validate(encoded(jpegBomb).build().toByteArray()), Reason.TOO_LARGE).message());
        rejected(VALIDATOR.validate(raw(4000, 3000, 1, new byte[0]).build().toByteArray()), Reason.TOO_LARGE);
        RecordValidator small = new RecordValidator(new ValidationLimits(100, 64, 64, MNIST));
        assertTrue(rejected(small.validate(raw(28, 28, 1, new byte[784]).build().toByteArray()), Reason.TOO_LARGE)
                .message().endsWith("bytes, the limit is 100"));
    }

    /** The baseline JPEG with its SOF0 height and width replaced: the header claims the size, the scan is the small image's. */
    static byte[] withSofSize(byte[] jpeg, int width, int height) {
        byte[] out = jpeg.clone();
        for (int i = 2; i + 8 < out.length; i++) {
            if ((out[i] & 0xFF) == 0xFF && (out[i + 1] & 0xFF) == 0xC0) {
                out[i + 5] = (byte) (height >> 8);
                out[i + 6] = (byte) height;
                out[i + 7] = (byte) (width >> 8);
                out[i + 8] = (byte) width;
                return out;
            }
        }
        throw new AssertionError("no SOF0 marker");
    }

    /** The PNG with its IHDR width and height replaced (CRC fixed) and everything after IHDR cut off. */
    private static byte[] withIhdrSize(byte[] png, int width, int height) {
        // signature (8) + IHDR length (4) + "IHDR" (4) + 13 data bytes + CRC (4)
        byte[] out = Arrays.copyOf(png, 33);
        ByteBuffer b = ByteBuffer.wrap(out);
        b.putInt(16, width);
        b.putInt(20, height);
        CRC32 crc = new CRC32();
        crc.update(out, 12, 17);
        b.putInt(29, (int) crc.getValue());
        return out;
    }

    @Test
    void colourJpegBecomesLumaGray() throws IOException {
        BufferedImage img = new BufferedImage(28, 28, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                img.setRGB(x, y, 0x1EC80A); // (30, 200, 10): luma 128, channel mean 80
            }
        }
        Sample s = accepted(VALIDATOR.validate(encoded(write(img, "jpg")).setId("j").build().toByteArray()));
        assertEquals(MNIST.pixels(), s.pixels().length);
        for (byte p : s.pixels()) {
            assertEquals(128, p & 0xFF, 4, "JPEG is lossy, but not by this much");
        }
    }

    @Test
    void largerPngIsAreaResized() throws IOException {
        BufferedImage img = new BufferedImage(56, 56, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 56; y++) {
            for (int x = 0; x < 56; x++) {
                // Each 2x2 block holds base, base+2, base+2, base+4: its mean is base + 2.
                img.getRaster().setSample(x, y, 0, 4 * (x / 2) + 3 * (y / 2) + 2 * (x % 2) + 2 * (y % 2));
            }
        }
        Sample s = accepted(VALIDATOR.validate(encoded(write(img, "png")).build().toByteArray()));
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                assertEquals(4 * x + 3 * y + 2, s.pixels()[y * 28 + x] & 0xFF, "pixel (" + y + ", " + x + ")");
            }
        }
    }

    @Test
    void nonIntegerResizeKeepsAGradientMonotonic() throws IOException {
        BufferedImage img = new BufferedImage(40, 40, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 40; y++) {
            for (int x = 0; x < 40; x++) {
                img.getRaster().setSample(x, y, 0, 6 * x);
            }
        }
        Sample s = accepted(VALIDATOR.validate(encoded(write(img, "png")).build().toByteArray()));
        for (int x = 1; x < 28; x++) {
            assertTrue((s.pixels()[x] & 0xFF) > (s.pixels()[x - 1] & 0xFF), "column " + x);
        }
        assertEquals(s.pixels()[5], s.pixels()[27 * 28 + 5]);
    }

    @Test
    void grayIsReplicatedForAnRgbTarget() throws IOException {
        RecordValidator v = new RecordValidator(ValidationLimits.defaults(new ImageGeometry(3, 28, 28)));
        BufferedImage gray = noisyGray(28, 28, 5);
        Sample s = accepted(v.validate(encoded(write(gray, "png")).build().toByteArray()));
        byte[] plane = Arrays.copyOfRange(s.pixels(), 0, 784);
        assertEquals(gray.getRaster().getSample(3, 2, 0), plane[2 * 28 + 3] & 0xFF);
        assertArrayEquals(plane, Arrays.copyOfRange(s.pixels(), 784, 1568));
        assertArrayEquals(plane, Arrays.copyOfRange(s.pixels(), 1568, 2352));
    }

    @Test
    void declaredGeometryMustMatchTheFile() throws IOException {
        byte[] png = write(noisyGray(28, 28, 6), "png");
        assertEquals("record declares 30x28 but the image is 28x28",
                rejected(VALIDATOR.validate(encoded(png).setWidth(30).setHeight(28).build().toByteArray()),
                        Reason.BAD_GEOMETRY).message());
        rejected(VALIDATOR.validate(encoded(png).setChannels(3).build().toByteArray()), Reason.BAD_GEOMETRY);
        accepted(VALIDATOR.validate(encoded(png).setWidth(28).setHeight(28).setChannels(1).build().toByteArray()));
    }

    @Test
    void reasonCodesAreDistinctAndRoundTrip() {
        Set<String> codes = new HashSet<>();
        for (Reason r : Reason.values()) {
            assertTrue(codes.add(r.code()), "duplicate code " + r.code());
            assertTrue(r.code().matches("[a-z]+(-[a-z]+)*"), r.code());
            assertEquals(r, Reason.fromCode(r.code()));
        }
    }
}
