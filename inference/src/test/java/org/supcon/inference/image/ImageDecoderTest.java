package org.supcon.inference.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.supcon.inference.testing.TestModels;

class ImageDecoderTest {

    final ImageDecoder decoder = new ImageDecoder(256);

    static byte[] encode(BufferedImage image, String format) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(ImageIO.write(image, format, out), "no writer for " + format);
        return out.toByteArray();
    }

    @Test
    void aGrayPngKeepsItsExactPixelValues() throws Exception {
        BufferedImage gray = new BufferedImage(3, 2, BufferedImage.TYPE_BYTE_GRAY);
        byte[] px = {0, 10, (byte) 128, (byte) 200, (byte) 254, (byte) 255};
        gray.getRaster().setDataElements(0, 0, 3, 2, px);
        float[] x = decoder.decode(encode(gray, "png"), "test", 1, 2, 3);
        assertArrayEquals(new float[] {0, 10, 128, 200, 254, 255}, x);
    }

    @Test
    void theFashionMnistPngAndJpegDecodeToTheSameImageWithinJpegLoss() {
        float[] png = decoder.decode(TestModels.resource("images/t10k-00000.png"), "png", 1, 28, 28);
        float[] jpeg = decoder.decode(TestModels.resource("images/t10k-00000.jpg"), "jpeg", 1, 28, 28);
        double diff = 0;
        for (int i = 0; i < png.length; i++) {
            diff += Math.abs(png[i] - jpeg[i]);
        }
        assertTrue(diff / png.length < 8, "mean |png - jpeg| = " + diff / png.length);
        assertTrue(Arrays.stream(toDouble(png)).max().orElse(0) > 200, "an ankle boot has bright pixels");
    }

    @Test
    void anRgbImageOfTwiceTheSizeComesBackNearTheGrayOriginal() {
        float[] gray = decoder.decode(TestModels.resource("images/t10k-00000.png"), "gray", 1, 28, 28);
        float[] rgb = decoder.decode(TestModels.resource("images/t10k-00000-rgb-56x56.png"), "rgb", 1, 28, 28);
        double diff = 0;
        for (int i = 0; i < gray.length; i++) {
            diff += Math.abs(gray[i] - rgb[i]);
        }
        assertTrue(diff / gray.length < 12, "mean |gray - rgb 56x56 resized| = " + diff / gray.length);
    }

    @Test
    void aGrayImageFillsEveryChannelOfAnRgbModel() throws Exception {
        BufferedImage gray = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_GRAY);
        gray.getRaster().setDataElements(0, 0, 2, 1, new byte[] {7, 99});
        assertArrayEquals(new float[] {7, 99, 7, 99, 7, 99}, decoder.decode(encode(gray, "png"), "t", 3, 1, 2));
    }

    @Test
    void bilinearResizeUsesHalfPixelCentres() {
        float[] src = {0, 10, 20, 30};
        float[] out = new float[8];
        ImageDecoder.resizeBilinear(src, 4, 1, out, 0, 8, 1);
        assertArrayEquals(new float[] {0, 2.5f, 7.5f, 12.5f, 17.5f, 22.5f, 27.5f, 30}, out, 1e-5f);
        float[] down = new float[2];
        ImageDecoder.resizeBilinear(src, 4, 1, down, 0, 2, 1);
        assertArrayEquals(new float[] {5, 25}, down, 1e-5f);
    }

    @Test
    void aHugeDeclaredSizeIsRefusedFromTheHeaderAlone() {
        // a PNG signature and an IHDR claiming 100000 x 100000 pixels, and no pixel data at all
        byte[] png = TestModels.pngHeader(100_000, 100_000);
        ImageException e = assertThrows(ImageException.class, () -> decoder.decode(png, "bomb.png", 1, 28, 28));
        assertEquals(ImageException.Kind.TOO_LARGE, e.kind());
        assertTrue(e.getMessage().contains("100000x100000") && e.getMessage().contains("256"), e.getMessage());
    }

    @Test
    void aJpegWhoseHeaderClaims60000x60000IsRefusedFromTheHeaderAlone() throws Exception {
        BufferedImage small = new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_GRAY);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(small, "jpeg", out);
        byte[] jpeg = out.toByteArray();
        for (int i = 2; i + 8 < jpeg.length; i++) {
            if ((jpeg[i] & 0xFF) == 0xFF && (jpeg[i + 1] & 0xFF) == 0xC0) { // SOF0: length, precision, height, width
                jpeg[i + 5] = (byte) (60_000 >> 8);
                jpeg[i + 6] = (byte) 60_000;
                jpeg[i + 7] = (byte) (60_000 >> 8);
                jpeg[i + 8] = (byte) 60_000;
                break;
            }
        }
        ImageException e = assertThrows(ImageException.class, () -> decoder.decode(jpeg, "bomb.jpg", 1, 28, 28));
        assertEquals(ImageException.Kind.TOO_LARGE, e.kind());
        assertTrue(e.getMessage().contains("bomb.jpg is 60000x60000"), e.getMessage());
    }

    @Test
    void truncatedEmptyAndNonImageBytesAreUndecodable() {
        byte[] png = TestModels.resource("images/t10k-00001.png");
        for (byte[] bad : new byte[][] {Arrays.copyOf(png, png.length / 2), new byte[0], "hello, world".getBytes()}) {
            ImageException e = assertThrows(ImageException.class, () -> decoder.decode(bad, "bad", 1, 28, 28));
            assertEquals(ImageException.Kind.UNDECODABLE, e.kind(), e.getMessage());
        }
    }

    @Test
    void otherFormatsAreUnsupported() throws Exception {
        byte[] gif = encode(new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_INDEXED), "gif");
        ImageException e = assertThrows(ImageException.class, () -> decoder.decode(gif, "x.gif", 1, 28, 28));
        assertEquals(ImageException.Kind.UNSUPPORTED_FORMAT, e.kind());
        assertTrue(e.getMessage().contains("GIF"), e.getMessage());
    }

    static double[] toDouble(float[] x) {
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            d[i] = x[i];
        }
        return d;
    }
}
