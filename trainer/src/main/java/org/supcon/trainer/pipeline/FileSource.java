package org.supcon.trainer.pipeline;

import java.io.IOException;
import java.nio.file.Path;
import org.supcon.trainer.images.DatasetSource;
import org.supcon.trainer.settings.RunSettings;

/** Images from files: Fashion-MNIST's IDX files or a folder {@code root/<label>/*.png}, with their own test split. */
public record FileSource(String dataset) implements DataSource {

    @Override
    public Loaded load(RunSettings settings, Path output) throws IOException {
        DatasetSource.Loaded loaded = DatasetSource.load(dataset);
        return new Loaded(loaded.train(), loaded.test(), dataset, loaded.description(), "the dataset's own test split", null);
    }
}
