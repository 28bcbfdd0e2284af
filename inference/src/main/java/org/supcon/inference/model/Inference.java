package org.supcon.inference.model;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.supcon.common.index.Neighbour;

/**
 * What the APIs (friendly REST, OIP v2 REST and gRPC, our gRPC) call. Implemented by the model
 * manager: it owns the loaded versions, the atomic swap and the dynamic batcher.
 */
public interface Inference {

    /** The newest validated version, or empty while none is loaded (the APIs answer 503 / UNAVAILABLE). */
    Optional<ServedModel> latest();

    /** The loaded versions, oldest first (OIP model metadata lists them); at least the latest one. */
    default List<Long> loadedVersions() {
        return latest().map(m -> List.of(m.version())).orElse(List.of());
    }

    /** A loaded version of the served model, or empty when that version is not loaded. */
    Optional<ServedModel> version(long version);

    /**
     * Runs {@code n} images through {@code model}; {@code images} holds {@code n * C * H * W}
     * float32 pixel values 0..255 in NCHW order. Requests are batched with other callers' (up to
     * the configured maximum batch size and queue delay). Completes exceptionally with
     * {@link IllegalArgumentException} for input of the wrong length and with
     * {@link ModelUnavailableException} when the version was unloaded meanwhile.
     */
    CompletionStage<InferenceResult> infer(ServedModel model, float[] images, int n);

    /**
     * The {@code k} nearest samples to {@code query} in {@code model}'s vector index, best first,
     * cosine {@code >= minScore}: by HNSW with {@code candidates} candidates, or by an exact scan.
     * Holds the version while it searches, so that its index stays open.
     *
     * @throws IllegalArgumentException for a query of the wrong size, with a NaN or infinity or all
     *     zeros, for {@code k} below 1, or when the version has no index ({@link ServedModel#index()})
     * @throws ModelUnavailableException when the version was unloaded meanwhile
     */
    List<Neighbour> search(ServedModel model, float[] query, int k, float minScore, boolean exact, int candidates);
}
