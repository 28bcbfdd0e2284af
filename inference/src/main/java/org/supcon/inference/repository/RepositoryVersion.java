package org.supcon.inference.repository;

import java.nio.file.Path;

/**
 * A complete version directory {@code ROOT/NAME/VERSION} (model file and card present); whether it
 * is valid is for the validator to say.
 */
public record RepositoryVersion(String name, long version, Path dir) {

    public static final String MODEL_FILE = "model.onnx";

    public Path modelFile() {
        return dir.resolve(MODEL_FILE);
    }

    public Path cardFile() {
        return dir.resolve(ModelCardFile.FILE_NAME);
    }
}
