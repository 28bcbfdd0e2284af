package org.supcon.trainer.images;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Resolves the CLI's {@code --dataset} value into a train and a test set.
 *
 * <ul>
 *   <li>{@code fashion-mnist}: the official train (60,000) and test (10,000) files from
 *       {@link FashionMnist#defaultDirectory()} (or the given directory).
 *   <li>any other value: a path to an image folder read by {@link ImageFolderReader}; the test
 *       set is a stratified {@value #FOLDER_TEST_FRACTION} split drawn with the fixed seed
 *       {@value #FOLDER_TEST_SEED}, so every run and every model on the same folder is tested on
 *       the same images, whatever the training seed.
 * </ul>
 */
public final class DatasetSource {

    /** The {@code --dataset} value that selects Fashion-MNIST. */
    public static final String FASHION_MNIST = "fashion-mnist";
    /** Share of each class of an image folder held out as the test set. */
    public static final double FOLDER_TEST_FRACTION = 0.2;
    /** Seed of the folder test split; fixed on purpose, independent of the training seed. */
    public static final long FOLDER_TEST_SEED = 20200423L;

    private DatasetSource() {
    }

    /**
     * A loaded dataset.
     *
     * @param description one line for logs and provenance, e.g.
     *     {@code fashion-mnist (/usr/share/datasets/fashion-mnist): train 60000, test 10000, 10 classes, 1x28x28}
     */
    public record Loaded(ImageSet train, ImageSet test, String description) {
        public Loaded {
            Objects.requireNonNull(train, "train");
            Objects.requireNonNull(test, "test");
            Objects.requireNonNull(description, "description");
        }
    }

    /** Loads {@code dataset}, looking for Fashion-MNIST in {@link FashionMnist#defaultDirectory()}. */
    public static Loaded load(String dataset) throws IOException {
        return load(dataset, FashionMnist.defaultDirectory());
    }

    /**
     * Loads {@code dataset}: {@value #FASHION_MNIST} (read from {@code fashionMnistDir}) or a folder path.
     *
     * @throws DatasetException if the value is neither, or the data cannot be read
     */
    public static Loaded load(String dataset, Path fashionMnistDir) throws IOException {
        Objects.requireNonNull(dataset, "dataset");
        if (dataset.equals(FASHION_MNIST)) {
            ImageSet train = FashionMnist.train(fashionMnistDir);
            ImageSet test = FashionMnist.test(fashionMnistDir);
            return new Loaded(train, test, describe(FASHION_MNIST + " (" + fashionMnistDir + ")", train, test));
        }
        Path root = Path.of(dataset);
        if (!Files.isDirectory(root)) {
            throw new DatasetException("dataset '" + dataset + "' is neither '" + FASHION_MNIST
                    + "' nor an existing folder of root/<label>/*.png|jpg|jpeg images");
        }
        ImageSet all = ImageFolderReader.read(root);
        DatasetSplit.Split split = DatasetSplit.split(all, FOLDER_TEST_FRACTION, FOLDER_TEST_SEED);
        String source = "folder " + root.toAbsolutePath() + " (test = stratified "
                + Math.round(FOLDER_TEST_FRACTION * 100) + "% split, seed " + FOLDER_TEST_SEED + ")";
        return new Loaded(split.train(), split.validation(), describe(source, split.train(), split.validation()));
    }

    private static String describe(String source, ImageSet train, ImageSet test) {
        return source + ": train " + train.size() + ", test " + test.size() + ", "
                + train.numClasses() + " classes, " + train.geometry();
    }
}
