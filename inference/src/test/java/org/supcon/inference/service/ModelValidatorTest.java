package org.supcon.inference.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.OptionalInt;
import java.util.function.UnaryOperator;
import org.apache.lucene.store.AlreadyClosedException;
import org.supcon.common.index.IndexEntry;
import org.supcon.common.index.VectorIndex;
import org.supcon.common.index.VectorIndexCard;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.supcon.inference.config.InferenceConfig.Device;
import org.supcon.inference.repository.ModelDirectory;
import org.supcon.inference.repository.RepositoryVersion;
import org.supcon.inference.testing.SearchIndexes;
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

    @Test
    void aVersionWithAVectorIndexLoadsItAndClosesItWithTheModel() throws Exception {
        SearchIndexes.publish(root, 1, 1);
        LoadedModel m = load(1);
        VectorIndex vectors;
        try {
            assertEquals(SearchIndexes.SAMPLES, m.index().orElseThrow().count());
            vectors = m.loadedIndex().vectors();
            assertEquals(SearchIndexes.SAMPLES, vectors.count());
            assertEquals(m.embeddingDim(), vectors.dimension());
            assertEquals(SearchIndexes.id(3), vectors.search(vectors.vector(3), 1, -1f, 10).get(0).id());
        } finally {
            m.retire();
        }
        assertTrue(m.closed());
        assertThrows(AlreadyClosedException.class, () -> vectors.search(vectors.vector(3), 1, -1f, 10),
                "the index closes with the model");
    }

    @Test
    void aVersionWithoutAVectorIndexLoadsWithoutOne() throws Exception {
        TestModels.publish(root, 1, TestModels.model(1), TestModels.card(1), true);
        LoadedModel m = load(1);
        try {
            assertTrue(m.index().isEmpty());
            assertEquals(null, m.loadedIndex());
        } finally {
            m.retire();
        }
    }

    @Test
    void aBadVectorIndexRefusesTheVersionNamingTheProblem() throws Exception {
        SearchIndexes.Index index = SearchIndexes.build(1);
        UnaryOperator<byte[]> same = UnaryOperator.identity();
        UnaryOperator<VectorIndexCard> asIs = UnaryOperator.identity();
        SearchIndexes.publish(root, 1, 1, index, b -> {
            b[b.length / 2] ^= 0x55;
            return b;
        }, asIs);
        String changed = refusal(1);
        assertTrue(changed.contains("v1") && changed.contains("vector index") && changed.contains("sha256"), changed);
        SearchIndexes.publish(root, 2, 1, index, same, c -> new VectorIndexCard(c.file(), c.sha256(), c.sizeBytes(),
                c.count() + 1, c.dimension(), c.metric(), c.engine()));
        String count = refusal(2);
        assertTrue(count.contains("holds 20 vectors, the card says 21"), count);
        SearchIndexes.publish(root, 3, 1, index, same, c -> new VectorIndexCard(c.file(), c.sha256(), c.sizeBytes(),
                c.count(), 64, c.metric(), c.engine()));
        String dimension = refusal(3);
        assertTrue(dimension.contains("dimension 64 is not the model's embedding size 128"), dimension);
        SearchIndexes.publish(root, 4, 1, SearchIndexes.build(1, e -> e.id().endsWith("7")
                ? new IndexEntry(e.id(), 10, e.split()) : e), same, asIs);
        String label = refusal(4);
        assertTrue(label.contains("sample " + SearchIndexes.id(7) + " label 10; the model has 10 labels"), label);
        Path v5 = SearchIndexes.publish(root, 5, 1);
        Files.delete(v5.resolve(VectorIndex.FILE));
        String missing = refusal(5);
        assertTrue(missing.contains("cannot read index"), missing);
    }
}
