package org.supcon.trainer.images;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTest {

    @Test
    void readsTheRealTestSetWhenInstalled() throws IOException {
        Assumptions.assumeTrue(Files.isDirectory(FashionMnist.DEBIAN_DIR),
                FashionMnist.DEBIAN_DIR + " not installed (apt-get install dataset-fashion-mnist)");

        ImageSet test = FashionMnist.test(FashionMnist.DEBIAN_DIR);

        assertEquals(10_000, test.size());
        assertEquals(new ImageGeometry(1, 28, 28), test.geometry());
        assertEquals(FashionMnist.LABELS, test.labelNames());
        int[] thousandEach = new int[10];
        Arrays.fill(thousandEach, 1000);
        assertArrayEquals(thousandEach, test.countsPerLabel());
        // Label of the first test image in the published file is 9 (Ankle boot).
        assertEquals(9, test.label(0));
    }

    @Test
    void acceptsUncompressedFiles(@TempDir Path dir) throws IOException {
        byte[] pixels = new byte[2 * 28 * 28];
        pixels[28 * 28 + 5] = (byte) 200;
        Files.write(dir.resolve("t10k-images-idx3-ubyte"), IdxReaderTest.idxImages(2, 28, 28, pixels));
        Files.write(dir.resolve("t10k-labels-idx1-ubyte.gz"), IdxReaderTest.gzip(IdxReaderTest.idxLabels(3, 9)));

        ImageSet test = FashionMnist.test(dir);

        assertEquals(2, test.size());
        assertEquals(200, test.pixel(1, 0, 0, 5));
        assertEquals("Ankle boot", test.labelNames().get(test.label(1)));
    }

    @Test
    void missingFilesNameTheDirectoryAndTheFix(@TempDir Path dir) {
        Path missing = dir.resolve("absent");
        DatasetException e = assertThrows(DatasetException.class, () -> FashionMnist.train(missing));
        String m = e.getMessage();
        assertTrue(m.contains(missing.toString()), m);
        assertTrue(m.contains("train-images-idx3-ubyte"), m);
        assertTrue(m.contains("apt-get install dataset-fashion-mnist") && m.contains("FASHION_MNIST_DIR"), m);
    }
}
