package org.supcon.trainer.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.supcon.common.index.IndexEntry;
import org.supcon.common.index.VectorIndex;
import org.supcon.common.repository.ModelCard;
import org.supcon.common.repository.RepositoryLayout;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code export-vectors}: a published version's vectors in OpenSearch's bulk format, to scale
 * search beyond one machine with an engine that already does it. Writes the index mapping (a
 * {@code knn_vector} field with Lucene HNSW and cosine similarity, the same engine and metric as
 * the version's own index) and the bulk body ({@code _bulk} NDJSON: an action line and a document
 * per sample, the sample's id as the document id).
 */
@Command(name = "export-vectors", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Write a published version's vectors as an OpenSearch k-NN mapping and _bulk NDJSON.")
public final class ExportVectorsCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "ROOT/NAME/VERSION", description = "a published version with a vector index")
    Path version;

    @Option(names = "--output", required = true, paramLabel = "DIR", description = "where mapping.json and bulk.ndjson go")
    Path output;

    @Option(names = "--index-name", paramLabel = "NAME", description = "the OpenSearch index (default: NAME-vVERSION)")
    String indexName;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public Integer call() throws IOException {
        Path cardFile = version.resolve(RepositoryLayout.CARD_FILE);
        if (!Files.isRegularFile(cardFile)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--model " + version + " is not a published version: no "
                    + RepositoryLayout.CARD_FILE);
        }
        ModelCard card = ModelCard.read(cardFile);
        if (card.index() == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), card.modelName() + " v" + card.version()
                    + " was published without a vector index");
        }
        String name = indexName != null ? indexName : (card.modelName() + "-v" + card.version()).toLowerCase(Locale.ROOT);
        Files.createDirectories(output);
        try (VectorIndex index = VectorIndex.load(version.resolve(card.index().file()), card.index(), card.index().dimension())) {
            Files.write(output.resolve("mapping.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(mapping(index.dimension())));
            try (BufferedWriter w = Files.newBufferedWriter(output.resolve("bulk.ndjson"), StandardCharsets.UTF_8)) {
                for (int i = 0; i < index.count(); i++) {
                    IndexEntry e = index.entry(i);
                    ObjectNode action = JSON.createObjectNode();
                    action.putObject("index").put("_index", name).put("_id", e.id());
                    ObjectNode doc = JSON.createObjectNode();
                    doc.put("label", card.labels().get(e.label()));
                    doc.put("split", e.split());
                    doc.put("modelVersion", card.version());
                    ArrayNode v = doc.putArray("embedding");
                    for (float x : index.vector(i)) {
                        v.add(x);
                    }
                    w.write(JSON.writeValueAsString(action));
                    w.write('\n');
                    w.write(JSON.writeValueAsString(doc));
                    w.write('\n');
                }
            }
            System.out.printf(Locale.ROOT, "wrote %d vectors of %d for OpenSearch index %s: %s (PUT /%s) and %s (POST /_bulk)%n",
                    index.count(), index.dimension(), name, output.resolve("mapping.json"), name, output.resolve("bulk.ndjson"));
        }
        return 0;
    }

    /** The index body: k-NN on, the embedding as a knn_vector with Lucene's HNSW and cosine similarity. */
    static ObjectNode mapping(int dimension) {
        ObjectNode root = JSON.createObjectNode();
        root.putObject("settings").putObject("index").put("knn", true);
        ObjectNode props = root.putObject("mappings").putObject("properties");
        ObjectNode embedding = props.putObject("embedding");
        embedding.put("type", "knn_vector").put("dimension", dimension);
        ObjectNode method = embedding.putObject("method");
        method.put("name", "hnsw").put("engine", "lucene").put("space_type", "cosinesimil");
        method.putObject("parameters").put("m", org.supcon.common.index.VectorIndexWriter.MAX_CONN)
                .put("ef_construction", org.supcon.common.index.VectorIndexWriter.BEAM_WIDTH);
        props.putObject("label").put("type", "keyword");
        props.putObject("split").put("type", "keyword");
        props.putObject("modelVersion").put("type", "long");
        return root;
    }
}
