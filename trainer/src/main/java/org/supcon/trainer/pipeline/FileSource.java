package org.supcon.trainer.pipeline;

import java.io.IOException;
import java.nio.file.Path;
import java.util.stream.IntStream;
import org.supcon.trainer.images.DatasetSource;
import org.supcon.trainer.images.ImageSet;
import org.supcon.trainer.ingest.LabeledImageMapper;
import org.supcon.trainer.settings.RunSettings;

/** Images from files: Fashion-MNIST's IDX files or a folder {@code root/<label>/*.png}, with their own test split. */
public record FileSource(String dataset) implements DataSource {

    @Override
    public Loaded load(RunSettings settings, Path output) throws IOException {
        DatasetSource.Loaded loaded = DatasetSource.load(dataset);
        return new Loaded(named(loaded.train(), "train"), named(loaded.test(), "test"), dataset, loaded.description(),
                "the dataset's own test split", null);
    }

    /**
     * The ids the {@code ingest} command gives these images ({@code fashion-mnist/train/000042}),
     * so a suspect found by a {@code train} run names the record a producer relabels; a folder
     * path is not an id segment, so a folder's images keep their positions.
     */
    private ImageSet named(ImageSet set, String split) {
        if (dataset.contains("/") || dataset.contains(java.io.File.separator)) {
            return set;
        }
        return set.withIds(IntStream.range(0, set.size())
                .mapToObj(i -> LabeledImageMapper.imageSetId(dataset, split, i)).toList());
    }
}
