package org.supcon.inference.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.supcon.common.index.IndexEntry;
import org.supcon.common.index.VectorIndex;
import org.supcon.common.index.VectorIndexCard;
import org.supcon.common.index.VectorIndexWriter;

/**
 * Vector indexes for the fixture models, written as the trainer writes them (common's
 * VectorIndexWriter) from the embeddings that the real model computes (a plain OrtSession on the
 * same model file) for the 20 Fashion-MNIST test images; published with a version the way the
 * trainer publishes, so that searching with image i finds sample i first.
 */
public final class SearchIndexes {

    /** Samples in the index: test images t10k-00000..00019.png. */
    public static final int SAMPLES = 20;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private SearchIndexes() {
    }

    /** The sample id of test image {@code i}. */
    public static String id(int i) {
        return String.format("fashion-mnist/test/%05d", i);
    }

    /** Even samples are called train, odd ones test: both splits travel through the index. */
    public static String split(int i) {
        return i % 2 == 0 ? "train" : "test";
    }

    /** The label name of test image {@code i} (labels.csv). */
    public static String label(int i) {
        return TestModels.images().stream().filter(l -> l.file().equals(String.format("t10k-%05d.png", i))).findFirst()
                .orElseThrow().label();
    }

    /** An index file's bytes and its card. */
    public record Index(byte[] bytes, VectorIndexCard card) {
    }

    /** The index of the 20 images embedded by fixture model {@code modelFixture} (1 or 2). */
    public static Index build(long modelFixture) {
        return build(modelFixture, UnaryOperator.identity());
    }

    /** As {@link #build(long)}, each sample passed through {@code entry} first. */
    public static Index build(long modelFixture, UnaryOperator<IndexEntry> entry) {
        float[] embeddings = Fixtures.reference(modelFixture, Fixtures.batch(SAMPLES), SAMPLES).get("embedding");
        List<String> labels = new ArrayList<>();
        try {
            JSON.readTree(TestModels.card(modelFixture)).get("labels").forEach(l -> labels.add(l.asText()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<IndexEntry> entries = new ArrayList<>();
        for (int i = 0; i < SAMPLES; i++) {
            entries.add(entry.apply(new IndexEntry(id(i), labels.indexOf(label(i)), split(i))));
        }
        try {
            Path dir = Files.createTempDirectory("supcon-index-");
            Path file = dir.resolve(VectorIndex.FILE);
            VectorIndexCard card = VectorIndexWriter.write(file, embeddings.length / SAMPLES, entries, embeddings).card();
            byte[] bytes = Files.readAllBytes(file);
            Files.delete(file);
            Files.delete(dir);
            return new Index(bytes, card);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Publishes fixture model {@code modelFixture} as {@code version} with {@code index}, its bytes
     * and card passed through {@code bytes} and {@code card} first (to corrupt them).
     */
    public static Path publish(Path root, long version, long modelFixture, Index index, UnaryOperator<byte[]> bytes,
            UnaryOperator<VectorIndexCard> card) throws IOException {
        ObjectNode json = (ObjectNode) JSON.readTree(TestModels.card(modelFixture));
        json.set("index", JSON.valueToTree(card.apply(index.card())));
        return TestModels.publish(root, version, TestModels.model(modelFixture), JSON.writeValueAsString(json), false,
                Map.of(index.card().file(), bytes.apply(index.bytes().clone())));
    }

    /** Publishes fixture model {@code modelFixture} as {@code version} with its index. */
    public static Path publish(Path root, long version, long modelFixture) throws IOException {
        return publish(root, version, modelFixture, build(modelFixture), UnaryOperator.identity(), UnaryOperator.identity());
    }
}
