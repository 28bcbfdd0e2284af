package org.supcon.inference.repository;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The part of a version's {@code model-card.json} (written by the trainer's ModelRepository) that
 * serving needs. Unknown fields are ignored: a newer trainer may add some.
 *
 * @param modelName the repository name
 * @param version the version directory it lives in
 * @param labels class names by output index
 * @param sha256 lowercase hex SHA-256 of {@code model.onnx}
 * @param sizeBytes size of {@code model.onnx}
 * @param createdAt publication time, ISO-8601 UTC
 * @param channels input channels
 * @param height input height
 * @param width input width
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ModelCardFile(String modelName, long version, List<String> labels, String sha256, long sizeBytes,
        String createdAt, int channels, int height, int width) {

    public static final String FILE_NAME = "model-card.json";

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /**
     * Reads and checks a card.
     *
     * @throws IOException naming the file and what is wrong with it
     */
    public static ModelCardFile read(Path file) throws IOException {
        ModelCardFile card;
        try {
            card = JSON.readValue(file.toFile(), ModelCardFile.class);
        } catch (IOException e) {
            throw new IOException("model card " + file + " is not readable JSON: " + e.getMessage(), e);
        }
        String problem = card.problem();
        if (problem != null) {
            throw new IOException("model card " + file + " " + problem);
        }
        return card;
    }

    private String problem() {
        if (modelName == null || modelName.isBlank()) {
            return "has no modelName";
        }
        if (labels == null || labels.size() < 2) {
            return "needs at least 2 labels, has " + labels;
        }
        if (sha256 == null || !SHA256.matcher(sha256).matches()) {
            return "has no valid sha256 (64 lowercase hex digits): " + sha256;
        }
        if (channels < 1 || height < 1 || width < 1) {
            return "has an invalid geometry [C, H, W] = [" + channels + ", " + height + ", " + width + "]";
        }
        return null;
    }
}
