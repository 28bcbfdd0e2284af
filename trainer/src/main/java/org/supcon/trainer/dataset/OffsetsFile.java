package org.supcon.trainer.dataset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import org.supcon.trainer.io.Durable;

/**
 * {@code offsets.json}: {@code {"<topic>-<partition>": nextOffset}}, the consumer offsets whose
 * records are already in the cache. It is replaced atomically, so a crash leaves the old offsets or
 * the new ones, never a mix; an absent file means: replay from the start.
 */
final class OffsetsFile {

    static final String FILE = "offsets.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path file;
    private SortedMap<String, Long> offsets;

    private OffsetsFile(Path file, SortedMap<String, Long> offsets) {
        this.file = file;
        this.offsets = offsets;
    }

    /**
     * Reads {@code dir/offsets.json}, or starts empty if there is none.
     *
     * @throws IOException if the file is not an object of non-negative integers (the message says
     *     how to recover)
     */
    static OffsetsFile read(Path dir) throws IOException {
        Path file = dir.resolve(FILE);
        if (!Files.exists(file)) {
            return new OffsetsFile(file, Collections.unmodifiableSortedMap(new TreeMap<>()));
        }
        TreeMap<String, Long> result = new TreeMap<>();
        try {
            JsonNode root = JSON.readTree(Files.readAllBytes(file));
            if (!root.isObject()) {
                throw new IOException("not a JSON object");
            }
            for (Map.Entry<String, JsonNode> e : (Iterable<Map.Entry<String, JsonNode>>) root::fields) {
                if (!e.getValue().canConvertToLong() || e.getValue().asLong() < 0) {
                    throw new IOException("offset of " + e.getKey() + " is " + e.getValue() + ", not a non-negative integer");
                }
                result.put(e.getKey(), e.getValue().asLong());
            }
        } catch (IOException e) {
            throw new IOException("cannot read " + file + ": " + e.getMessage()
                    + "; delete it to replay the topic from the start (duplicates are absorbed)", e);
        }
        return new OffsetsFile(file, Collections.unmodifiableSortedMap(result));
    }

    /** The saved offsets, unmodifiable; empty for a new file. */
    SortedMap<String, Long> offsets() {
        return offsets;
    }

    /**
     * Merges {@code next} into the saved offsets and replaces the file atomically; on any failure
     * the saved offsets stay as they were.
     *
     * @throws IllegalArgumentException if a key is blank or an offset negative; nothing is written then
     */
    void save(Map<String, Long> next) throws IOException {
        Objects.requireNonNull(next, "next");
        TreeMap<String, Long> merged = new TreeMap<>(offsets);
        for (Map.Entry<String, Long> e : next.entrySet()) {
            if (e.getKey() == null || e.getKey().isBlank() || e.getValue() == null || e.getValue() < 0) {
                throw new IllegalArgumentException("offset entry " + e.getKey() + " = " + e.getValue()
                        + " needs a \"<topic>-<partition>\" key and a non-negative offset");
            }
            merged.put(e.getKey(), e.getValue());
        }
        Durable.writeAtomically(file, JSON.writeValueAsBytes(merged));
        offsets = Collections.unmodifiableSortedMap(merged);
    }
}
