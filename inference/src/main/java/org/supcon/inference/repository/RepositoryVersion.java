package org.supcon.inference.repository;

import java.nio.file.Path;
import org.supcon.common.repository.RepositoryLayout;

/**
 * A complete version directory {@code ROOT/NAME/VERSION} (model file and card present); whether it
 * is valid is for the validator to say.
 */
public record RepositoryVersion(String name, long version, Path dir) {

    public Path modelFile() {
        return dir.resolve(RepositoryLayout.MODEL_FILE);
    }

    public Path cardFile() {
        return dir.resolve(RepositoryLayout.CARD_FILE);
    }
}
