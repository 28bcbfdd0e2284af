package org.supcon.trainer.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The run's small JSON files (label-issues.json, near-duplicates.json, label-noise.json): one
 * mapper (indented; a newer writer's extra fields are ignored on reading) and atomic writes.
 */
public final class JsonFiles {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private JsonFiles() {}

    /** {@code value} as JSON bytes; {@code what} names the file in the error. */
    public static byte[] toJson(Object value, String what) {
        try {
            return JSON.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + what + ": " + e.getMessage(), e);
        }
    }

    /** Writes {@code value} to {@code file} atomically (fsync + rename). */
    public static void write(Path file, Object value) throws IOException {
        Durable.writeAtomically(file, toJson(value, file.getFileName().toString()));
    }

    public static <T> T read(Path file, Class<T> type) throws IOException {
        return JSON.readValue(file.toFile(), type);
    }
}
