package org.supcon.common.repository;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelCardTest {

    private static final String SHA = "ab".repeat(32);

    private static ModelCard card() {
        return new ModelCard("fashion-encoder", 3, List.of("T-shirt/top", "Trouser", "Bag"),
                Map.of("testAccuracy", 0.9125, "loss", 4.25e-3),
                Map.of("settings", Map.of("temperature", 0.1, "epochs", 20), "djl", "0.36.0", "seed", 42),
                SHA, 1234567, "2025-01-31T12:00:00.123Z", 1, 28, 28, "run-7");
    }

    @Test
    void jsonRoundTripKeepsEveryField() throws IOException {
        ModelCard card = card();
        ModelCard back = ModelCard.fromJson(card.toJson());
        assertEquals(card, back);
        assertEquals(card.provenance(), back.provenance());
        assertEquals(card.metrics().get("loss"), back.metrics().get("loss"));
    }

    @Test
    void jsonHasStableFieldOrderAndIsPrettyPrinted() throws IOException {
        String json = new String(card().toJson(), StandardCharsets.UTF_8);
        String[] order = {"modelName", "version", "labels", "metrics", "provenance", "sha256", "sizeBytes",
            "createdAt", "channels", "height", "width", "runId"};
        int last = -1;
        for (String field : order) {
            int at = json.indexOf("\"" + field + "\"");
            assertTrue(at > last, field + " out of order in " + json);
            last = at;
        }
        assertTrue(json.contains("\n  \"version\" : 3"), json);
        // map keys sorted: the same card always gives the same bytes
        assertTrue(json.indexOf("\"djl\"") < json.indexOf("\"seed\"") && json.indexOf("\"seed\"") < json.indexOf("\"settings\""), json);
        assertEquals(json, new String(ModelCard.fromJson(card().toJson()).toJson(), StandardCharsets.UTF_8));
    }

    @Test
    void validationNamesTheProblem() {
        ModelCard c = card();
        assertMessage("labels of fashion-encoder must not be empty", () -> new ModelCard(c.modelName(), 1, List.of(),
                c.metrics(), c.provenance(), SHA, 1, c.createdAt(), 1, 28, 28, null));
        assertMessage("sha256 of fashion-encoder must be 64 lowercase hex digits, got abc", () -> new ModelCard(
                c.modelName(), 1, c.labels(), c.metrics(), c.provenance(), "abc", 1, c.createdAt(), 1, 28, 28, null));
        assertMessage("[C, H, W] = [1, 0, 28]", () -> new ModelCard(c.modelName(), 1, c.labels(), c.metrics(),
                c.provenance(), SHA, 1, c.createdAt(), 1, 0, 28, null));
        assertMessage("createdAt of fashion-encoder must be an ISO-8601 UTC instant", () -> new ModelCard(c.modelName(), 1,
                c.labels(), c.metrics(), c.provenance(), SHA, 1, "2025-01-31T12:00:00+02:00", 1, 28, 28, null));
        assertMessage("version of fashion-encoder must be >= 1, got 0", () -> new ModelCard(c.modelName(), 0, c.labels(),
                c.metrics(), c.provenance(), SHA, 1, c.createdAt(), 1, 28, 28, null));
        assertMessage("not distinct", () -> new ModelCard(c.modelName(), 1, List.of("a", "a"), c.metrics(),
                c.provenance(), SHA, 1, c.createdAt(), 1, 28, 28, null));
    }

    @Test
    void readingAnInvalidCardFailsWithTheReason() {
        String json = new String(card().toJson(), StandardCharsets.UTF_8).replace(SHA, "not-a-hash");
        IOException e = assertThrows(IOException.class, () -> ModelCard.fromJson(json.getBytes(StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().contains("sha256 of fashion-encoder must be 64 lowercase hex digits"), e.getMessage());
    }

    @Test
    void readsACardAsPublishedAndIgnoresFieldsItDoesNotKnow(@TempDir Path dir) throws IOException {
        // the on-disk format of published versions (inference/src/test/resources/models): field names are the format
        Path file = Files.writeString(dir.resolve(RepositoryLayout.CARD_FILE), """
                {
                  "modelName" : "fashion-mnist-supcon",
                  "version" : 2,
                  "labels" : [ "T-shirt/top", "Trouser" ],
                  "metrics" : { "testAccuracy" : 0.763 },
                  "provenance" : { "hyperparameters" : { "epochs" : 2 }, "method" : "supcon" },
                  "sha256" : "%s",
                  "sizeBytes" : 1249869,
                  "createdAt" : "2026-11-28T05:37:27.833Z",
                  "channels" : 1,
                  "height" : 28,
                  "width" : 28,
                  "runId" : "run1",
                  "addedByANewerTrainer" : true
                }
                """.formatted(SHA));
        ModelCard card = ModelCard.read(file);
        assertEquals(new ModelCard("fashion-mnist-supcon", 2, List.of("T-shirt/top", "Trouser"),
                Map.of("testAccuracy", 0.763), Map.of("hyperparameters", Map.of("epochs", 2), "method", "supcon"),
                SHA, 1249869, "2026-11-28T05:37:27.833Z", 1, 28, 28, "run1"), card);
    }

    @Test
    void readingABrokenFileNamesTheFileAndTheProblem(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve(RepositoryLayout.CARD_FILE), "{ not json");
        IOException e = assertThrows(IOException.class, () -> ModelCard.read(file));
        assertTrue(e.getMessage().contains("model card " + file + " is not readable JSON"), e.getMessage());

        Files.write(file, card().toJson());
        Files.writeString(file, Files.readString(file).replace(SHA, "not-a-hash"));
        e = assertThrows(IOException.class, () -> ModelCard.read(file));
        assertTrue(e.getMessage().startsWith("model card " + file + " is invalid: sha256 of fashion-encoder"), e.getMessage());

        e = assertThrows(IOException.class, () -> ModelCard.read(dir.resolve("missing.json")));
        assertTrue(e.getMessage().contains("cannot read model card"), e.getMessage());
    }

    private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
