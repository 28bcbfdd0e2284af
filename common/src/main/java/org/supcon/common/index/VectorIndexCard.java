package org.supcon.common.index;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.regex.Pattern;

/**
 * What the model card says about the version's vector index: the file beside {@code model.onnx},
 * its checksum and size, how many vectors of which dimension it holds and how they compare. The
 * inference service refuses a version whose index does not match this.
 *
 * @param file the index file's name in the version directory ({@value VectorIndex#FILE})
 * @param sha256 lowercase hex SHA-256 of the file
 * @param sizeBytes the file's size
 * @param count vectors (= samples) in the index
 * @param dimension values per vector: the model's embedding size
 * @param metric how vectors compare: {@value VectorIndex#METRIC}
 * @param engine what built the graph, e.g. {@code lucene-9.12.3-hnsw(m=16,beam=100)}
 */
@RegisterForReflection // read by Jackson in the inference native image
@JsonPropertyOrder({"file", "sha256", "sizeBytes", "count", "dimension", "metric", "engine"})
public record VectorIndexCard(String file, String sha256, long sizeBytes, int count, int dimension, String metric,
        String engine) {

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    public VectorIndexCard {
        if (file == null || !file.matches("[A-Za-z0-9._-]{1,128}")) {
            throw new IllegalArgumentException("index file must be a plain file name, got " + file);
        }
        if (sha256 == null || !SHA256.matcher(sha256).matches()) {
            throw new IllegalArgumentException("index sha256 must be 64 lowercase hex digits, got " + sha256);
        }
        if (sizeBytes < 1 || count < 1 || dimension < 1) {
            throw new IllegalArgumentException("index size, count and dimension must be positive, got " + sizeBytes + ", "
                    + count + ", " + dimension);
        }
        if (!VectorIndex.METRIC.equals(metric)) {
            throw new IllegalArgumentException("index metric must be " + VectorIndex.METRIC + ", got " + metric);
        }
    }
}
