package org.supcon.trainer.images;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetSourceTest {

    @Test
    void folderIsSplitIntoTrainAndAFixedTwentyPercentTest(@TempDir Path root) throws IOException {
        for (String label : new String[] {"cat", "dog"}) {
            Files.createDirectories(root.resolve(label));
            int n = label.equals("cat") ? 10 : 5;
            for (int i = 0; i < n; i++) {
                BufferedImage img = new BufferedImage(3, 3, BufferedImage.TYPE_BYTE_GRAY);
                img.getRaster().setSample(0, 0, 0, i * 20 + (label.equals("cat") ? 0 : 1));
                ImageIO.write(img, "png", root.resolve(label + "/" + i + ".png").toFile());
            }
        }

        DatasetSource.Loaded a = DatasetSource.load(root.toString());
        DatasetSource.Loaded b = DatasetSource.load(root.toString());

        assertArrayEquals(new int[] {8, 4}, a.train().countsPerLabel());
        assertArrayEquals(new int[] {2, 1}, a.test().countsPerLabel());
        assertArrayEquals(a.test().pixels(), b.test().pixels());
        assertTrue(a.description().contains("train 12, test 3, 2 classes, 1x3x3"), a.description());
    }

    @Test
    void unknownDatasetIsReported(@TempDir Path dir) {
        String value = dir.resolve("no-such-folder").toString();
        DatasetException e = assertThrows(DatasetException.class, () -> DatasetSource.load(value));
        assertTrue(e.getMessage().contains("neither 'fashion-mnist'"), e.getMessage());
    }

    @Test
    void fashionMnistReadsFromTheGivenDirectory(@TempDir Path dir) throws IOException {
        Files.write(dir.resolve("train-images-idx3-ubyte.gz"),
                IdxReaderTest.gzip(IdxReaderTest.idxImages(3, 28, 28, new byte[3 * 784])));
        Files.write(dir.resolve("train-labels-idx1-ubyte.gz"), IdxReaderTest.gzip(IdxReaderTest.idxLabels(0, 1, 2)));
        Files.write(dir.resolve("t10k-images-idx3-ubyte"), IdxReaderTest.idxImages(1, 28, 28, new byte[784]));
        Files.write(dir.resolve("t10k-labels-idx1-ubyte"), IdxReaderTest.idxLabels(5));

        DatasetSource.Loaded loaded = DatasetSource.load("fashion-mnist", dir);

        assertEquals(3, loaded.train().size());
        assertEquals(1, loaded.test().size());
        assertTrue(loaded.description().startsWith("fashion-mnist (" + dir + "): train 3, test 1, 10 classes"),
                loaded.description());
    }
}
