package org.supcon.trainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.supcon.common.index.IndexEntry;
import org.supcon.common.index.VectorIndexCard;
import org.supcon.common.index.VectorIndexWriter;
import org.supcon.common.repository.ModelCard;
import org.supcon.common.repository.RepositoryLayout;
import org.supcon.trainer.settings.TestSettings;
import picocli.CommandLine;

class ExportVectorsCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static Path version(Path root, boolean withIndex) throws Exception {
        Path dir = Files.createDirectories(root.resolve("m/1"));
        VectorIndexCard index = null;
        if (withIndex) {
            index = VectorIndexWriter.write(dir.resolve("vector-index.zip"), 3,
                    List.of(new IndexEntry("a/1", 0, "train"), new IndexEntry("b/2", 1, "test")),
                    new float[] {3, 0, 0, 0, 0, 2}).card();
        }
        ModelCard card = new ModelCard("m", 1, List.of("cat", "dog"), Map.of(), Map.of(), "a".repeat(64), 1,
                "2026-01-01T00:00:00Z", 1, 2, 2, null, index);
        Files.write(dir.resolve(RepositoryLayout.CARD_FILE), card.toJson());
        return dir;
    }

    private static int run(StringWriter err, String... args) {
        CommandLine cl = TrainCommandTest.cli(TestSettings.config(Map.of()), System.out);
        cl.setErr(new PrintWriter(err));
        return cl.execute(args);
    }

    @Test
    void writesTheMappingAndOneActionAndDocumentPerVector(@TempDir Path tmp) throws Exception {
        Path dir = version(tmp, true);
        Path out = tmp.resolve("out");
        assertEquals(0, run(new StringWriter(), "export-vectors", "--model", dir.toString(), "--output", out.toString()));
        JsonNode mapping = JSON.readTree(out.resolve("mapping.json").toFile());
        JsonNode embedding = mapping.at("/mappings/properties/embedding");
        assertEquals("knn_vector", embedding.get("type").asText());
        assertEquals(3, embedding.get("dimension").asInt());
        assertEquals("cosinesimil", embedding.at("/method/space_type").asText());
        List<String> lines = Files.readAllLines(out.resolve("bulk.ndjson"));
        assertEquals(4, lines.size());
        assertEquals("m-v1", JSON.readTree(lines.get(0)).at("/index/_index").asText());
        assertEquals("a/1", JSON.readTree(lines.get(0)).at("/index/_id").asText());
        JsonNode doc = JSON.readTree(lines.get(3));
        assertEquals("dog", doc.get("label").asText());
        assertEquals("test", doc.get("split").asText());
        // stored at unit length
        assertEquals(1.0, doc.get("embedding").get(2).asDouble(), 1e-6);
    }

    @Test
    void aVersionWithoutAnIndexIsAUsageErrorThatSaysSo(@TempDir Path tmp) throws Exception {
        Path dir = version(tmp, false);
        StringWriter err = new StringWriter();
        assertEquals(2, run(err, "export-vectors", "--model", dir.toString(), "--output", tmp.resolve("o").toString()));
        assertTrue(err.toString().contains("m v1 was published without a vector index"), err.toString());
        err = new StringWriter();
        assertEquals(2, run(err, "export-vectors", "--model", tmp.toString(), "--output", tmp.resolve("o").toString()));
        assertTrue(err.toString().contains("is not a published version"), err.toString());
    }
}
