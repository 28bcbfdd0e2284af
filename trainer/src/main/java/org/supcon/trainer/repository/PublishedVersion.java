package org.supcon.trainer.repository;

import java.nio.file.Path;
import org.supcon.common.repository.ModelCard;
import org.supcon.common.repository.RepositoryLayout;

/**
 * One complete, immutable version: {@code directory = ROOT/name/version}, holding
 * {@code model.onnx} ({@code modelFile}), {@code model-card.json} and any extra files.
 */
public record PublishedVersion(String name, long version, Path directory, Path modelFile, ModelCard card) {

    /** A file published beside the model, e.g. {@code training.png}; it may not exist. */
    public Path file(String fileName) {
        return directory.resolve(RepositoryLayout.requireFileName(fileName));
    }
}
