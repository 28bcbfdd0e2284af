package org.supcon.trainer.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.supcon.trainer.images.ImageGeometry;

class ModelMetadataTest {

    private static final List<String> LABELS =
            List.of("T-shirt/top", "Trouser", "Pullover", "Dress \"quoted\"", "Sandale ü");

    private static Map<String, Object> provenance() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("method", "supcon");
        p.put("hyperparameters", Map.of("temperature", 0.1, "epochs", 3));
        p.put("testAccuracy", 0.8125);
        p.put("dataset", "fashion-mnist");
        p.put("datasetSize", 60000);
        p.put("versions", List.of("djl 0.36.0", "libtorch 2.7.1", "java 17"));
        p.put("created", Instant.parse("2025-01-02T03:04:05Z"));
        return p;
    }

    @Test
    void roundTripsThroughAnOnnxRuntimeSession() throws Exception {
        ImageGeometry geometry = new ImageGeometry(1, 28, 28);
        Map<String, String> entries =
                ModelMetadata.entries(LABELS, geometry, "fmnist-supcon", "7", provenance());
        assertEquals(List.of(ModelMetadata.LABELS, ModelMetadata.IMAGE_CHANNELS,
                ModelMetadata.IMAGE_HEIGHT, ModelMetadata.IMAGE_WIDTH, ModelMetadata.MODEL_NAME,
                ModelMetadata.MODEL_VERSION, ModelMetadata.PROVENANCE),
                List.copyOf(entries.keySet()));
        byte[] model = TinyModels.scaleRelu(new float[] {1, 2, 3}, entries);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(model, new OrtSession.SessionOptions())) {
            assertEquals(entries, session.getMetadata().getCustomMetadata());
            ModelMetadata read = ModelMetadata.read(session);
            assertEquals(LABELS, read.labels());
            assertEquals(geometry, read.geometry());
            assertEquals("fmnist-supcon", read.modelName());
            assertEquals("7", read.modelVersion());
            Map<String, Object> p = read.provenance();
            assertEquals(List.copyOf(provenance().keySet()), List.copyOf(p.keySet()));
            assertEquals("supcon", p.get("method"));
            assertEquals(Map.of("temperature", 0.1, "epochs", 3), p.get("hyperparameters"));
            assertEquals(0.8125, p.get("testAccuracy"));
            assertEquals(60000, p.get("datasetSize"));
            assertEquals(List.of("djl 0.36.0", "libtorch 2.7.1", "java 17"), p.get("versions"));
            assertEquals("2025-01-02T03:04:05Z", p.get("created"));
        }
    }

    @Test
    void labelsAreAJsonListInOutputOrder() {
        Map<String, String> entries = ModelMetadata.entries(List.of("b", "a"),
                new ImageGeometry(3, 32, 32), "m", "1", null);
        assertEquals("[\"b\",\"a\"]", entries.get(ModelMetadata.LABELS));
        assertEquals("3", entries.get(ModelMetadata.IMAGE_CHANNELS));
        assertEquals("32", entries.get(ModelMetadata.IMAGE_WIDTH));
        assertEquals("{}", entries.get(ModelMetadata.PROVENANCE));
    }

    @Test
    void parseNamesTheMissingOrMalformedEntry() {
        Map<String, String> good = ModelMetadata.entries(List.of("a", "b"),
                new ImageGeometry(1, 28, 28), "m", "1", Map.of());
        Map<String, String> noWidth = new LinkedHashMap<>(good);
        noWidth.remove(ModelMetadata.IMAGE_WIDTH);
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> ModelMetadata.parse(noWidth));
        assertTrue(missing.getMessage().contains("no image.width entry"), missing.getMessage());
        Map<String, String> badLabels = new LinkedHashMap<>(good);
        badLabels.put(ModelMetadata.LABELS, "a,b");
        IllegalArgumentException json = assertThrows(IllegalArgumentException.class,
                () -> ModelMetadata.parse(badLabels));
        assertTrue(json.getMessage().contains("labels is not the expected JSON"),
                json.getMessage());
        Map<String, String> noProvenance = new LinkedHashMap<>(good);
        noProvenance.remove(ModelMetadata.PROVENANCE);
        assertEquals(Map.of(), ModelMetadata.parse(noProvenance).provenance());
    }

    @Test
    void refusesFewerThanTwoLabelsAndBlankNames() {
        ImageGeometry g = new ImageGeometry(1, 28, 28);
        assertThrows(IllegalArgumentException.class,
                () -> new ModelMetadata(List.of("only"), g, "m", "1", Map.of()));
        IllegalArgumentException blank = assertThrows(IllegalArgumentException.class,
                () -> new ModelMetadata(List.of("a", "b"), g, " ", "1", Map.of()));
        assertTrue(blank.getMessage().contains("model.name"), blank.getMessage());
    }
}
