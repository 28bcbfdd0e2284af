package org.supcon.inference.model;

/**
 * The three outputs for {@code n} images, row-major: {@code embedding [n, embeddingDim]},
 * {@code logits [n, classes]}, {@code probabilities [n, classes]}.
 */
public record InferenceResult(int n, int embeddingDim, int classes, float[] embedding, float[] logits, float[] probabilities) {

    public InferenceResult {
        if (embedding.length != n * embeddingDim || logits.length != n * classes || probabilities.length != n * classes) {
            throw new IllegalArgumentException("output sizes do not match n=" + n + ", D=" + embeddingDim + ", K=" + classes);
        }
    }
}
