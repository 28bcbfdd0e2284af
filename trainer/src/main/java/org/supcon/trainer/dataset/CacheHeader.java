package org.supcon.trainer.dataset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.supcon.trainer.images.ImageGeometry;
import org.supcon.trainer.io.Durable;

/**
 * {@code cache.json}: the format version and image geometry of the segments, e.g.
 * {@code {"format":1,"geometry":{"channels":1,"height":28,"width":28}}}. It is what lets an open
 * refuse segments it would misread instead of reporting them as corrupt.
 */
final class CacheHeader {

    static final String FILE = "cache.json";
    static final int FORMAT = 1;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private CacheHeader() {}

    /**
     * Checks {@code dir/cache.json} against {@code geometry}, or writes it for a new cache.
     *
     * @param segments how many segment files {@code dir} holds; segments without a header are refused
     * @throws IOException if the header is unreadable, of another format or geometry, or missing
     *     beside segments (each message says how to rebuild)
     */
    static void checkOrCreate(Path dir, ImageGeometry geometry, int segments) throws IOException {
        Path header = dir.resolve(FILE);
        if (Files.exists(header)) {
            check(dir, header, geometry);
        } else if (segments > 0) {
            throw new IOException("dataset cache " + dir + " has " + segments + " segment file(s) but no " + FILE
                    + "; delete the directory and replay the topic to rebuild it");
        } else {
            ObjectNode root = JSON.createObjectNode();
            root.put("format", FORMAT);
            ObjectNode g = root.putObject("geometry");
            g.put("channels", geometry.channels());
            g.put("height", geometry.height());
            g.put("width", geometry.width());
            Durable.writeAtomically(header, JSON.writeValueAsBytes(root));
        }
    }

    private static void check(Path dir, Path header, ImageGeometry geometry) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readAllBytes(header));
        } catch (IOException e) {
            throw new IOException("cannot read " + header + ": " + e.getMessage(), e);
        }
        int format = root.path("format").asInt(-1);
        if (format != FORMAT) {
            throw new IOException(header + " has format " + root.path("format") + ", this trainer reads format " + FORMAT
                    + "; delete the directory and replay the topic to rebuild it");
        }
        JsonNode g = root.path("geometry");
        ImageGeometry stored;
        try {
            stored = new ImageGeometry(g.path("channels").asInt(), g.path("height").asInt(), g.path("width").asInt());
        } catch (IllegalArgumentException e) {
            throw new IOException(header + " has an invalid geometry " + g + ": " + e.getMessage(), e);
        }
        if (!stored.equals(geometry)) {
            throw new IOException("dataset cache " + dir + " holds " + stored + " images but was opened for " + geometry
                    + "; use a separate directory, or delete it and replay the topic to rebuild it in " + geometry);
        }
    }
}
