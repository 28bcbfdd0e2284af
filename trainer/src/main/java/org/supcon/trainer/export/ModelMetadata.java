package org.supcon.trainer.export;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.supcon.trainer.images.ImageGeometry;
import org.supcon.common.model.OnnxContract;

/**
 * The standard {@code metadata_props} of an exported model, and their parsing.
 *
 * <p>Entries (all values strings): {@value #LABELS} a JSON list of class names in logit order,
 * {@value #IMAGE_CHANNELS} / {@value #IMAGE_HEIGHT} / {@value #IMAGE_WIDTH} the input geometry as
 * decimal integers, {@value #MODEL_NAME}, {@value #MODEL_VERSION}, and {@value #PROVENANCE} a
 * JSON object (method, hyperparameters, accuracy, dataset, library versions, creation time, ...).
 *
 * @param labels class names, index = logit index; at least 2
 * @param geometry the input image geometry
 * @param modelName the model name
 * @param modelVersion the model version
 * @param provenance JSON-compatible values (strings, numbers, booleans, null, lists, maps); any
 *     other value is written as its {@code toString()}, so an {@code Instant} becomes ISO-8601
 */
public record ModelMetadata(
        List<String> labels,
        ImageGeometry geometry,
        String modelName,
        String modelVersion,
        Map<String, Object> provenance) {

    /** Key of the JSON list of class names. */
    public static final String LABELS = OnnxContract.LABELS;

    /** Key of the input channel count. */
    public static final String IMAGE_CHANNELS = OnnxContract.IMAGE_CHANNELS;

    /** Key of the input height. */
    public static final String IMAGE_HEIGHT = OnnxContract.IMAGE_HEIGHT;

    /** Key of the input width. */
    public static final String IMAGE_WIDTH = OnnxContract.IMAGE_WIDTH;

    /** Key of the model name. */
    public static final String MODEL_NAME = "model.name";

    /** Key of the model version. */
    public static final String MODEL_VERSION = "model.version";

    /** Key of the JSON provenance object. */
    public static final String PROVENANCE = "provenance";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Validates and copies; provenance keeps its iteration order. */
    public ModelMetadata {
        if (labels == null || labels.size() < 2) {
            throw new IllegalArgumentException(
                    "model metadata needs at least 2 labels, got " + labels);
        }
        if (labels.stream().anyMatch(l -> l == null)) {
            throw new IllegalArgumentException("model metadata labels must not be null: " + labels);
        }
        if (geometry == null) {
            throw new IllegalArgumentException("model metadata needs the image geometry");
        }
        requireText(MODEL_NAME, modelName);
        requireText(MODEL_VERSION, modelVersion);
        labels = List.copyOf(labels);
        provenance = provenance == null
                ? Map.of()
                : Collections.unmodifiableMap(new LinkedHashMap<>(provenance));
    }

    /**
     * Builds the standard entries in one call.
     *
     * @param labels class names in logit order
     * @param geometry the input geometry
     * @param modelName the model name
     * @param modelVersion the model version
     * @param provenance whatever the caller records about the run
     * @return the entries, in the order of the key constants
     */
    public static Map<String, String> entries(List<String> labels, ImageGeometry geometry,
            String modelName, String modelVersion, Map<String, ?> provenance) {
        Map<String, Object> p = provenance == null ? null : new LinkedHashMap<>(provenance);
        return new ModelMetadata(labels, geometry, modelName, modelVersion, p).toMap();
    }

    /**
     * The {@code metadata_props} entries.
     *
     * @return an ordered map: labels, geometry, name, version, provenance
     */
    public Map<String, String> toMap() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(LABELS, toJson(LABELS, labels));
        m.put(IMAGE_CHANNELS, Integer.toString(geometry.channels()));
        m.put(IMAGE_HEIGHT, Integer.toString(geometry.height()));
        m.put(IMAGE_WIDTH, Integer.toString(geometry.width()));
        m.put(MODEL_NAME, modelName);
        m.put(MODEL_VERSION, modelVersion);
        m.put(PROVENANCE, toJson(PROVENANCE, jsonSafe(provenance)));
        return m;
    }

    /**
     * Parses entries written by {@link #toMap()}; unknown keys are ignored, {@value #PROVENANCE}
     * may be absent. JSON numbers in the provenance come back as Integer, Long, Double or
     * BigInteger depending on their form and size.
     *
     * @param custom the custom metadata, e.g. {@code session.getMetadata().getCustomMetadata()}
     * @return the metadata
     * @throws IllegalArgumentException naming the missing or malformed entry
     */
    public static ModelMetadata parse(Map<String, String> custom) {
        List<String> labels = fromJson(custom, LABELS, new TypeReference<List<String>>() {});
        ImageGeometry geometry = parseGeometry(custom);
        Map<String, Object> provenance = custom.containsKey(PROVENANCE)
                ? fromJson(custom, PROVENANCE, new TypeReference<LinkedHashMap<String, Object>>() {})
                : Map.of();
        return new ModelMetadata(labels, geometry, required(custom, MODEL_NAME),
                required(custom, MODEL_VERSION), provenance);
    }

    /**
     * Reads the metadata of a loaded model.
     *
     * @param session an ONNX Runtime session of an exported model
     * @return the metadata
     * @throws OrtException if ONNX Runtime cannot read the model's metadata
     * @throws IllegalArgumentException naming the missing or malformed entry
     */
    public static ModelMetadata read(OrtSession session) throws OrtException {
        return parse(session.getMetadata().getCustomMetadata());
    }

    /** Parses the three image entries alone. */
    static ImageGeometry parseGeometry(Map<String, String> custom) {
        return new ImageGeometry(
                intEntry(custom, IMAGE_CHANNELS),
                intEntry(custom, IMAGE_HEIGHT),
                intEntry(custom, IMAGE_WIDTH));
    }

    /** Parses the {@value #LABELS} entry alone. */
    static List<String> parseLabels(String json) {
        return fromJson(Map.of(LABELS, json), LABELS, new TypeReference<List<String>>() {});
    }

    private static void requireText(String key, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("model metadata needs a non-blank " + key);
        }
    }

    private static String required(Map<String, String> custom, String key) {
        String value = custom.get(key);
        if (value == null) {
            throw new IllegalArgumentException(
                    "model metadata has no " + key + " entry; present: " + custom.keySet());
        }
        return value;
    }

    private static int intEntry(Map<String, String> custom, String key) {
        String value = required(custom, key);
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "model metadata " + key + " must be an integer, got '" + value + "'", e);
        }
    }

    private static <T> T fromJson(Map<String, String> custom, String key, TypeReference<T> type) {
        String value = required(custom, key);
        try {
            return JSON.readValue(value, type);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(
                    "model metadata " + key + " is not the expected JSON: " + value, e);
        }
    }

    private static String toJson(String key, Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write model metadata " + key + " as JSON",
                    e);
        }
    }

    private static Object jsonSafe(Object value) {
        if (value == null || value instanceof String || value instanceof Number
                || value instanceof Boolean) {
            return value;
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put(String.valueOf(k), jsonSafe(v)));
            return out;
        }
        if (value instanceof Collection<?> list) {
            List<Object> out = new ArrayList<>();
            list.forEach(v -> out.add(jsonSafe(v)));
            return out;
        }
        return value.toString();
    }
}
