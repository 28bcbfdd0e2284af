package org.supcon.trainer.train;

/**
 * A matrix of per-image vectors (encoder features, embeddings or logits), row-major
 * {@code [rows, dim]}, with the images' labels.
 */
public record Features(float[] values, int rows, int dim, int[] labels) {

    public Features {
        if ((long) rows * dim != values.length || labels.length != rows) {
            throw new IllegalArgumentException("features: " + values.length + " values, " + labels.length
                    + " labels for " + rows + " rows of " + dim);
        }
    }

    /** Index of the largest value of each row (the predicted class when these are logits). */
    public int[] argmax() {
        int[] out = new int[rows];
        for (int r = 0; r < rows; r++) {
            int best = 0;
            int base = r * dim;
            for (int c = 1; c < dim; c++) {
                if (values[base + c] > values[base + best]) {
                    best = c;
                }
            }
            out[r] = best;
        }
        return out;
    }

    /** Fraction of rows whose argmax equals the label (these rows being logits). */
    public double accuracy() {
        return Metrics.accuracy(argmax(), labels);
    }
}
