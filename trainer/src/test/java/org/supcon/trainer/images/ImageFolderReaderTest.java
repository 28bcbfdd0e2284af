package org.supcon.trainer.images;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderReaderTest {

    @TempDir
    Path root;

    private static BufferedImage gray(int w, int h, int base) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.getRaster().setSample(x, y, 0, (base + 10 * x + 3 * y) & 0xFF);
            }
        }
        return img;
    }

    private static BufferedImage rgb(int w, int h, int rgb) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, rgb);
            }
        }
        return img;
    }

    private Path save(BufferedImage img, String format, String relative) throws IOException {
        Path file = root.resolve(relative);
        Files.createDirectories(file.getParent());
        assertTrue(ImageIO.write(img, format, file.toFile()), "no ImageIO writer for " + format);
        return file;
    }

    @Test
    void grayFolderGivesOneChannelAndSortedLabels() throws IOException {
        save(gray(4, 3, 0), "png", "zebra/a.png");
        save(gray(4, 3, 50), "png", "apple/b.PNG");
        save(gray(4, 3, 100), "png", "apple/a.png");
        // RGB with r == g == b everywhere still counts as gray.
        save(rgb(4, 3, 0x404040), "png", "mango/gray-rgb.png");
        save(gray(4, 3, 7), "png", "mango/.hidden/x.png");
        save(gray(4, 3, 7), "png", ".secret/x.png");
        Files.writeString(root.resolve("zebra/notes.txt"), "ignored");

        ImageSet set = ImageFolderReader.read(root);

        assertEquals(List.of("apple", "mango", "zebra"), set.labelNames());
        assertEquals(new ImageGeometry(1, 3, 4), set.geometry());
        assertEquals(4, set.size());
        // Sorted by path: apple/a.png, apple/b.PNG, mango/gray-rgb.png, zebra/a.png.
        assertEquals(0, set.label(0));
        assertEquals(100 + 10 * 2 + 3 * 1, set.pixel(0, 0, 1, 2));
        assertEquals(50, set.pixel(1, 0, 0, 0));
        assertEquals(1, set.label(2));
        assertEquals(0x40, set.pixel(2, 0, 2, 3));
        assertEquals(2, set.label(3));
    }

    @Test
    void anyColourImageGivesThreeChannelsAndGrayIsReplicated() throws IOException {
        save(gray(5, 5, 20), "png", "a/gray.png");
        save(rgb(5, 5, 0xC81E0A), "png", "b/red.png");
        save(rgb(5, 5, 0x00FF00), "jpg", "b/green.JPEG");

        ImageSet set = ImageFolderReader.read(root);

        assertEquals(new ImageGeometry(3, 5, 5), set.geometry());
        int gray = set.pixel(0, 0, 3, 4);
        assertEquals(20 + 40 + 9, gray);
        assertEquals(gray, set.pixel(0, 1, 3, 4));
        assertEquals(gray, set.pixel(0, 2, 3, 4));
        // Sorted: b/green.JPEG before b/red.png. JPEG is lossy, so only roughly green.
        assertTrue(set.pixel(1, 1, 2, 2) > 200 && set.pixel(1, 0, 2, 2) < 60, "expected green");
        assertEquals(0xC8, set.pixel(2, 0, 1, 1));
        assertEquals(0x1E, set.pixel(2, 1, 1, 1));
        assertEquals(0x0A, set.pixel(2, 2, 1, 1));
    }

    @Test
    void grayJpegStaysOneChannel() throws IOException {
        save(gray(8, 8, 60), "jpeg", "x/a.jpeg");
        ImageSet set = ImageFolderReader.read(root);
        assertEquals(1, set.geometry().channels());
        assertTrue(Math.abs(set.pixel(0, 0, 4, 4) - (60 + 40 + 12)) <= 8, "gray JPEG value off");
    }

    @Test
    void otherSizesAreResizedToTheFirstImage() throws IOException {
        save(rgb(4, 4, 0x808080), "png", "a/first.png");
        save(rgb(8, 6, 0x646464), "png", "b/bigger.png");

        ImageSet set = ImageFolderReader.read(root);

        assertEquals(new ImageGeometry(1, 4, 4), set.geometry());
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 4; x++) {
                assertEquals(0x64, set.pixel(1, 0, y, x));
            }
        }
    }

    @Test
    void missingRootIsReported() {
        Path missing = root.resolve("nothing-here");
        DatasetException e = assertThrows(DatasetException.class, () -> ImageFolderReader.read(missing));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    }

    @Test
    void noLabelFoldersIsReported() throws IOException {
        Files.writeString(root.resolve("loose.png"), "not in a label folder");
        DatasetException e = assertThrows(DatasetException.class, () -> ImageFolderReader.read(root));
        assertTrue(e.getMessage().contains("no label folders"), e.getMessage());
    }

    @Test
    void emptyLabelFolderIsReported() throws IOException {
        save(gray(2, 2, 0), "png", "full/a.png");
        Files.createDirectories(root.resolve("empty"));
        Files.writeString(root.resolve("empty/readme.txt"), "no images");
        DatasetException e = assertThrows(DatasetException.class, () -> ImageFolderReader.read(root));
        assertTrue(e.getMessage().contains("empty") && e.getMessage().contains("no .png"), e.getMessage());
    }

    @Test
    void corruptImageIsReportedByName() throws IOException {
        save(gray(2, 2, 0), "png", "ok/a.png");
        Path bad = root.resolve("ok/broken.png");
        Files.write(bad, new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0, 0, 13, 'I', 'H', 'D', 'R', 1});
        Path junk = root.resolve("ok2/junk.jpg");
        Files.createDirectories(junk.getParent());
        Files.writeString(junk, "this is not a jpeg");

        DatasetException e = assertThrows(DatasetException.class, () -> ImageFolderReader.read(root));
        assertTrue(e.getMessage().contains("broken.png"), e.getMessage());

        Files.delete(bad);
        e = assertThrows(DatasetException.class, () -> ImageFolderReader.read(root));
        assertTrue(e.getMessage().contains("junk.jpg"), e.getMessage());
    }
}
