package org.supcon.trainer.pipeline;

import java.io.IOException;
import java.nio.file.Path;
import org.supcon.trainer.images.ImageSet;
import org.supcon.trainer.settings.RunSettings;

/**
 * Where a run's images come from: files for the {@code train} command ({@link FileSource}), the
 * dataset cache's snapshot for the service ({@link CacheSource}).
 */
public interface DataSource {

    /**
     * The images a run trains and tests on, before the pipeline applies {@code limit},
     * {@code testLimit} and the validation split.
     *
     * @param train the training part (the validation split is taken from it)
     * @param test the held-out test part
     * @param dataset the source's name, part of a checkpoint's identity
     * @param description one line for the summary and the provenance
     * @param testSplit how the test part was chosen
     * @param offsets the Kafka offsets of a dataset cache snapshot; null for files
     */
    record Loaded(ImageSet train, ImageSet test, String dataset, String description, String testSplit,
            java.util.Map<String, Long> offsets) {}

    /** Loads the images of a run writing into {@code output} (where a resumed run finds what it started with). */
    Loaded load(RunSettings settings, Path output) throws IOException;
}
