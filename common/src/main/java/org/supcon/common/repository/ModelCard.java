package org.supcon.common.repository;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.supcon.common.index.VectorIndexCard;

/**
 * What a published model version is: the file {@code model-card.json} beside {@code model.onnx}.
 * The trainer writes it, the inference service reads it, both with this record. Immutable once
 * published; the trainer's repository fills in version, checksum, size and time.
 *
 * <p>The model takes float input {@code [N, channels, height, width]}; {@code labels} are the
 * class names in output order. JSON has a fixed field order and map keys sorted, so the same card
 * always produces the same bytes. The field names are the file format: published versions keep
 * them. Unknown fields are ignored, so an older reader still serves a newer writer's card.
 *
 * @param modelName the repository name (letters, digits, {@code - _ .})
 * @param version the version directory it lives in, 1 or more
 * @param labels class names by output index, non-empty, distinct
 * @param metrics e.g. {@code testAccuracy}; finite values
 * @param provenance settings, data and library versions of the run (JSON values)
 * @param sha256 lowercase hex SHA-256 of {@code model.onnx}
 * @param sizeBytes size of {@code model.onnx}
 * @param createdAt publication time, ISO-8601 UTC ({@code 2025-01-31T12:00:00.123Z})
 * @param channels input channels
 * @param height input height
 * @param width input width
 * @param runId the training run it came from; null when published by hand
 * @param index the version's vector index ({@code vector-index.zip}); null when published without one
 */
@RegisterForReflection // read by Jackson in the inference native image
@JsonPropertyOrder({"modelName", "version", "labels", "metrics", "provenance", "sha256", "sizeBytes", "createdAt",
    "channels", "height", "width", "runId", "index"})
public record ModelCard(
        String modelName,
        long version,
        List<String> labels,
        Map<String, Double> metrics,
        Map<String, Object> provenance,
        String sha256,
        long sizeBytes,
        String createdAt,
        int channels,
        int height,
        int width,
        String runId,
        @JsonInclude(JsonInclude.Include.NON_NULL) VectorIndexCard index) {

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            // a newer writer may add fields; an older reader should still serve the model
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public ModelCard {
        RepositoryLayout.requireModelName(modelName);
        if (version < 1) {
            throw new IllegalArgumentException("version of " + modelName + " must be >= 1, got " + version);
        }
        labels = requireLabels(modelName, labels);
        metrics = requireMetrics(modelName, metrics);
        provenance = provenance == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(provenance));
        if (sha256 == null || !SHA256.matcher(sha256).matches()) {
            throw new IllegalArgumentException("sha256 of " + modelName + " must be 64 lowercase hex digits, got " + sha256);
        }
        if (sizeBytes < 1) {
            throw new IllegalArgumentException("sizeBytes of " + modelName + " must be >= 1, got " + sizeBytes);
        }
        requireUtcInstant(modelName, createdAt);
        requireGeometry(modelName, channels, height, width);
    }

    /** A card without a vector index. */
    public ModelCard(String modelName, long version, List<String> labels, Map<String, Double> metrics,
            Map<String, Object> provenance, String sha256, long sizeBytes, String createdAt, int channels, int height,
            int width, String runId) {
        this(modelName, version, labels, metrics, provenance, sha256, sizeBytes, createdAt, channels, height, width, runId,
                null);
    }

    /** Parses a card; the message names what is wrong. */
    public static ModelCard fromJson(byte[] json) throws IOException {
        return JSON.readValue(json, ModelCard.class);
    }

    /**
     * Reads and validates a card file.
     *
     * @throws IOException naming the file and what is wrong with it
     */
    public static ModelCard read(Path file) throws IOException {
        byte[] json;
        try {
            json = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IOException("cannot read model card " + file + ": " + e.getMessage(), e);
        }
        try {
            return fromJson(json);
        } catch (ValueInstantiationException e) {
            // the constructor's check failed: its message says what is wrong, without Jackson's wrapping
            Throwable reason = e.getCause() != null ? e.getCause() : e;
            throw new IOException("model card " + file + " is invalid: " + reason.getMessage(), e);
        } catch (IOException e) {
            throw new IOException("model card " + file + " is not readable JSON: " + e.getMessage(), e);
        }
    }

    /** Pretty-printed UTF-8 JSON with a trailing newline. */
    public byte[] toJson() {
        try {
            return (JSON.writeValueAsString(this) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("model card of " + modelName + " is not serialisable to JSON"
                    + " (provenance must hold only JSON values): " + e.getMessage(), e);
        }
    }

    /** The same card for another version: publish rewrites it when a version number was taken. */
    public ModelCard withVersion(long newVersion) {
        return new ModelCard(modelName, newVersion, labels, metrics, provenance, sha256, sizeBytes, createdAt,
                channels, height, width, runId, index);
    }

    /** Non-empty, no blank label, distinct; a draft card is checked with the same rule before publishing. */
    public static List<String> requireLabels(String modelName, List<String> labels) {
        if (labels == null || labels.isEmpty()) {
            throw new IllegalArgumentException("labels of " + modelName + " must not be empty");
        }
        if (labels.stream().anyMatch(l -> l == null || l.isBlank())) {
            throw new IllegalArgumentException("labels of " + modelName + " contain a null or blank label: " + labels);
        }
        if (new HashSet<>(labels).size() != labels.size()) {
            throw new IllegalArgumentException("labels of " + modelName + " are not distinct: " + labels);
        }
        return List.copyOf(labels);
    }

    /** Finite values; null means none. */
    public static Map<String, Double> requireMetrics(String modelName, Map<String, Double> metrics) {
        if (metrics == null) {
            return Map.of();
        }
        metrics.forEach((k, v) -> {
            if (k == null || v == null || !Double.isFinite(v)) {
                throw new IllegalArgumentException("metric " + k + " of " + modelName + " must be a finite number, got " + v);
            }
        });
        return Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
    }

    /** The input {@code [C, H, W]} is positive. */
    public static void requireGeometry(String modelName, int channels, int height, int width) {
        if (channels < 1 || height < 1 || width < 1) {
            throw new IllegalArgumentException("input geometry of " + modelName + " must be positive, got [C, H, W] = ["
                    + channels + ", " + height + ", " + width + "]");
        }
    }

    private static void requireUtcInstant(String modelName, String createdAt) {
        try {
            if (createdAt != null && createdAt.endsWith("Z")) {
                Instant.parse(createdAt);
                return;
            }
        } catch (DateTimeParseException e) {
            // fall through to the message below
        }
        throw new IllegalArgumentException("createdAt of " + modelName
                + " must be an ISO-8601 UTC instant like 2025-01-31T12:00:00Z, got " + createdAt);
    }
}
