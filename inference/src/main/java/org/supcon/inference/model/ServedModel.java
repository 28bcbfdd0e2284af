package org.supcon.inference.model;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.supcon.common.index.VectorIndexCard;

/**
 * One validated model version loaded into ONNX Runtime and ready to answer. Immutable: a newer
 * version is a new {@code ServedModel}; the old one stays usable until its in-flight requests end.
 *
 * <p>The ONNX contract (trainer/README.md, "The ONNX model"): input {@code images} float32
 * {@code [N, C, H, W]} with raw pixel values 0..255; outputs {@code embedding [N, D]},
 * {@code logits [N, K]}, {@code probabilities [N, K]}.
 */
public interface ServedModel {

    String name();

    long version();

    /** sha256 of model.onnx, as in the model card. */
    String sha256();

    int channels();

    int height();

    int width();

    /** Class labels in output order (K of them). */
    List<String> labels();

    /** D, the embedding width. */
    int embeddingDim();

    /** The ONNX metadata_props (model name, version, geometry, provenance...). */
    Map<String, String> metadata();

    /** The card of the version's vector index, validated and loaded; empty when it was published without one. */
    default Optional<VectorIndexCard> index() {
        return Optional.empty();
    }
}
