package org.supcon.inference.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.OptionalInt;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.supcon.inference.config.InferenceConfig.Device;
import org.supcon.inference.repository.ModelDirectory;
import org.supcon.inference.repository.RepositoryVersion;
import org.supcon.inference.testing.TestModels;

/** Validation of real fixture versions and of broken ones derived from them. */
class ModelValidatorTest {

    static ModelValidator validator;

    @TempDir
    Path root;

    @BeforeAll
    static void setUp() {
        validator = new ModelValidator(new SessionFactory(Device.CPU, OptionalInt.of(1), false));
    }

    LoadedModel load(long version) throws ModelRefusedException {
        RepositoryVersion v = new RepositoryVersion(TestModels.NAME, version, root.resolve(TestModels.NAME).resolve(Long.toString(version)));
        return validator.load(v, x -> new DynamicBatcher(x.version().name(), x.imageSize(), x.runner(), 8, Duration.ZERO, 8, 1,
                BatchListener.NONE));
    }

    String refusal(long version) {
        return assertThrows(ModelRefusedException.class, () -> load(version)).getMessage();
    }

    @Test
    void aTrainerVersionIsAccepted() throws Exception {
        TestModels.publish(root, 1, TestModels.model(1), TestModels.card(1), true);
        LoadedModel m = load(1);
        try {
            assertEquals(1, m.version());
            assertEquals(10, m.labels().size());
            assertEquals("Ankle boot", m.labels().get(9));
            assertEquals(128, m.embeddingDim());
            assertEquals(28, m.height());
            assertEquals(TestModels.sha256(TestModels.model(1)), m.sha256());
            assertEquals("1", m.metadata().get("model.version"));
        } finally {
            m.retire();
        }
        assertTrue(m.closed(), "retiring a model without requests closes its session");
        assertEquals(1, new ModelDirectory(root, TestModels.NAME).versionsNewestFirst().size());
    }

    @Test
    void aCorruptFileIsRefusedByOnnxRuntime() throws Exception {
        byte[] corrupt = TestModels.model(1).clone();
        Arrays.fill(corrupt, 100, corrupt.length, (byte) 0x5a);
        TestModels.publish(root, 1, corrupt, TestModels.card(1));
        assertTrue(refusal(1).contains("ONNX Runtime cannot load"), refusal(1));
    }

    @Test
    void aTruncatedFileIsRefused() throws Exception {
        byte[] model = TestModels.model(1);
        TestModels.publish(root, 1, Arrays.copyOf(model, model.length / 2), TestModels.card(1));
        assertTrue(refusal(1).contains("ONNX Runtime cannot load"), refusal(1));
    }

    @Test
    void aFileThatDoesNotMatchItsCardIsRefusedBeforeLoading() throws Exception {
        // version 2's bytes under version 1's card: a valid model, but not the one the card describes
        TestModels.publish(root, 1, TestModels.model(2), TestModels.card(1), true);
        String reason = refusal(1);
        assertTrue(reason.contains("does not match its model card") && reason.contains("sha256"), reason);
    }

    @Test
    void aModelWithoutTheImagesInputIsRefused() throws Exception {
        TestModels.publish(root, 1, TestModels.resource("models-invalid/wrong-inputs.onnx"), TestModels.card(1));
        String reason = refusal(1);
        assertTrue(reason.contains("expected one input named 'images'") && reason.contains("pixels"), reason);
    }

    @Test
    void aCardWhoseLabelsDoNotMatchTheOutputsIsRefused() throws Exception {
        String nineLabels = TestModels.card(1).replace("\"Bag\", ", "");
        TestModels.publish(root, 1, TestModels.model(1), nineLabels);
        String reason = refusal(1);
        assertTrue(reason.contains("K = 9 labels"), reason);
    }

    @Test
    void aCardWithOneLabelIsRefused() throws Exception {
        String oneLabel = TestModels.card(1).replaceFirst("\"labels\" : \\[[^]]*]", "\"labels\" : [ \"Bag\" ]");
        TestModels.publish(root, 1, TestModels.model(1), oneLabel);
        String reason = refusal(1);
        assertTrue(reason.contains("at least 2 labels"), reason);
    }

    @Test
    void aCardOfAnotherGeometryIsRefused() throws Exception {
        TestModels.publish(root, 1, TestModels.model(1), TestModels.card(1).replace("\"height\" : 28", "\"height\" : 32"));
        String reason = refusal(1);
        assertTrue(reason.contains("input 'images' has shape"), reason);
    }

    @Test
    void aMissingOrUnreadableCardIsRefused() throws Exception {
        Path dir = TestModels.publish(root, 1, TestModels.model(1), TestModels.card(1));
        dir.resolve("model-card.json").toFile().setWritable(true);
        Files.writeString(dir.resolve("model-card.json"), "{ not json");
        assertTrue(refusal(1).contains("not readable JSON"), refusal(1));
    }
}
