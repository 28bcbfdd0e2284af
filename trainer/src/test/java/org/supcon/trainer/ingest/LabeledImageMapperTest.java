package org.supcon.trainer.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.InvalidProtocolBufferException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.supcon.proto.v1.ImageEncoding;
import org.supcon.proto.v1.LabeledImage;
import org.supcon.trainer.images.ImageGeometry;
import org.supcon.trainer.images.ImageSet;
import org.supcon.trainer.images.TestImages;

public class LabeledImageMapperTest {

    private static final Instant CREATED = Instant.parse("2026-01-02T03:04:05.678Z");

    @Test
    void imageSetIdsAreStableAndPadded() {
        assertEquals("fashion-mnist/train/000123", LabeledImageMapper.imageSetId("fashion-mnist", "train", 123));
        assertEquals("fashion-mnist/test/1234567", LabeledImageMapper.imageSetId("fashion-mnist", "test", 1234567));
        ImageSet set = TestImages.indexed(new ImageGeometry(1, 4, 3), 3, 2);
        LabeledImage a = LabeledImageMapper.fromImageSet(set, 4, "toy", "train", CREATED);
        LabeledImage b = LabeledImageMapper.fromImageSet(set, 4, "toy", "train", Instant.now());
        assertEquals("toy/train/000004", a.getId());
        assertEquals(a.getId(), b.getId());
        assertNotEquals(a.getId(), LabeledImageMapper.fromImageSet(set, 4, "toy", "test", CREATED).getId());
    }

    @Test
    void grayImageKeepsGeometryLabelAndBytes() throws InvalidProtocolBufferException {
        ImageSet set = TestImages.indexed(new ImageGeometry(1, 4, 3), 3, 2);
        for (int i = 0; i < set.size(); i++) {
            LabeledImage image = LabeledImage.parseFrom(
                    LabeledImageMapper.fromImageSet(set, i, "toy", "train", CREATED).toByteArray());
            assertEquals(ImageEncoding.IMAGE_ENCODING_RAW_U8, image.getEncoding());
            assertEquals(List.of(3, 4, 1), List.of(image.getWidth(), image.getHeight(), image.getChannels()));
            assertEquals(set.labelNames().get(set.label(i)), image.getLabel());
            assertEquals("train", image.getSplit());
            assertEquals("toy", image.getSource());
            assertEquals(CREATED, Instant.ofEpochSecond(image.getCreated().getSeconds(), image.getCreated().getNanos()));
            byte[] expected = Arrays.copyOfRange(set.pixels(), set.offset(i), set.offset(i) + 12);
            assertArrayEquals(expected, image.getImage().toByteArray());
            assertArrayEquals(expected, LabeledImageMapper.rawPixelsChw(image));
        }
    }

    @Test
    void rgbImageTravelsInterleavedAndComesBackPlanar() {
        ImageGeometry g = new ImageGeometry(3, 2, 5);
        ImageSet set = TestImages.indexed(g, 2, 1);
        int i = 2;
        LabeledImage image = LabeledImageMapper.fromImageSet(set, i, "toy", "test", CREATED);
        byte[] hwc = image.getImage().toByteArray();
        for (int y = 0; y < 2; y++) {
            for (int x = 0; x < 5; x++) {
                for (int c = 0; c < 3; c++) {
                    assertEquals(set.pixel(i, c, y, x), hwc[(y * 5 + x) * 3 + c] & 0xFF, "c" + c + " y" + y + " x" + x);
                }
            }
        }
        assertArrayEquals(Arrays.copyOfRange(set.pixels(), set.offset(i), set.offset(i) + g.pixels()),
                LabeledImageMapper.rawPixelsChw(image));
    }

    @Test
    void rawPixelsRejectGeometryMismatchAndEncodedRecords() {
        ImageSet set = TestImages.indexed(new ImageGeometry(1, 4, 3), 1);
        LabeledImage image = LabeledImageMapper.fromImageSet(set, 0, "toy", "train", CREATED);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LabeledImageMapper.rawPixelsChw(image.toBuilder().setWidth(4).build()));
        assertTrue(e.getMessage().contains("has 12 pixel bytes but its geometry 1x4x4 needs 16"), e.getMessage());
        LabeledImage png = LabeledImageMapper.fromFile("a", "x.png", png(), "file:/x.png", CREATED);
        e = assertThrows(IllegalArgumentException.class, () -> LabeledImageMapper.rawPixelsChw(png));
        assertTrue(e.getMessage().contains("IMAGE_ENCODING_ENCODED"), e.getMessage());
    }

    @Test
    void folderFileKeepsItsBytesAndGetsAPathId() {
        byte[] bytes = png();
        LabeledImage image = LabeledImageMapper.fromFile("boot", "2024/img_01.png", bytes, "file:/data/boot/2024/img_01.png", CREATED);
        assertEquals("folder/boot/2024/img_01.png", image.getId());
        assertEquals(ImageEncoding.IMAGE_ENCODING_ENCODED, image.getEncoding());
        assertArrayEquals(bytes, image.getImage().toByteArray());
        assertEquals("boot", image.getLabel());
        assertEquals("", image.getSplit());
        assertEquals(0, image.getWidth());
        assertEquals("jpeg", LabeledImageMapper.imageFormat(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, 0x20}));
    }

    @Test
    void badInputsNameTheProblem() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LabeledImageMapper.fromFile("boot", "notes.png", "hello".getBytes(), "file:/x", CREATED));
        assertTrue(e.getMessage().contains("folder/boot/notes.png is not a PNG or JPEG file (5 bytes, starting 68656c6c)"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LabeledImageMapper.imageSetId("a/b", "train", 0));
        assertTrue(e.getMessage().contains("dataset must be a non-empty name without '/', got 'a/b'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LabeledImageMapper.imageSetId("a", "train", -1));
        assertTrue(e.getMessage().contains("index must not be negative, got -1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LabeledImageMapper.folderId("boot", "/abs.png"));
        assertTrue(e.getMessage().contains("relative path"), e.getMessage());
    }

    /** The 8-byte PNG signature and a few bytes: enough for the format check. */
    public static byte[] png() {
        return new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0, 0, 13};
    }
}
