package org.supcon.trainer.images;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Fashion-MNIST (Xiao, Rasul, Vollgraf 2017): 28x28 grayscale images of ten clothing classes,
 * 60,000 for training and 10,000 for testing, as IDX files (gzipped or not).
 *
 * <p>Where it is looked for: {@link #defaultDirectory()}, i.e. {@code $FASHION_MNIST_DIR} or the
 * directory of the Debian package {@code dataset-fashion-mnist}.
 */
public final class FashionMnist {

    /** Class names in the official order: index = label in the IDX files. */
    public static final List<String> LABELS = List.of(
            "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    /** Environment variable that overrides the dataset directory. */
    public static final String DIR_ENV = "FASHION_MNIST_DIR";
    /** Where the Debian package {@code dataset-fashion-mnist} installs the files. */
    public static final Path DEBIAN_DIR = Path.of("/usr/share/datasets/fashion-mnist");

    /** Geometry of every Fashion-MNIST image. */
    public static final ImageGeometry GEOMETRY = new ImageGeometry(1, 28, 28);

    private FashionMnist() {
    }

    /** {@code $FASHION_MNIST_DIR} if set and not blank, else {@link #DEBIAN_DIR}. */
    public static Path defaultDirectory() {
        String env = System.getenv(DIR_ENV);
        return env != null && !env.isBlank() ? Path.of(env) : DEBIAN_DIR;
    }

    /** The 60,000 training images from {@code train-images-idx3-ubyte[.gz]} and its labels. */
    public static ImageSet train(Path dir) throws IOException {
        return read(dir, "train-images-idx3-ubyte", "train-labels-idx1-ubyte");
    }

    /** The 10,000 test images from {@code t10k-images-idx3-ubyte[.gz]} and its labels. */
    public static ImageSet test(Path dir) throws IOException {
        return read(dir, "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte");
    }

    private static ImageSet read(Path dir, String images, String labels) throws IOException {
        return IdxReader.read(find(dir, images), find(dir, labels), LABELS);
    }

    private static Path find(Path dir, String name) throws DatasetException {
        Path plain = dir.resolve(name);
        if (Files.isRegularFile(plain)) {
            return plain;
        }
        Path gz = dir.resolve(name + ".gz");
        if (Files.isRegularFile(gz)) {
            return gz;
        }
        throw new DatasetException("Fashion-MNIST file " + name + "[.gz] not found in " + dir.toAbsolutePath()
                + (Files.isDirectory(dir) ? "" : " (the directory does not exist)")
                + "; run `apt-get install dataset-fashion-mnist` or set " + DIR_ENV
                + " to a directory holding the four IDX files");
    }
}
