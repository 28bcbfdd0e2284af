package org.supcon.trainer.train;

/**
 * {@code logits = x W^T + b} on encoder features: the classifier that the linear stage trains
 * and that the exported model applies after the encoder.
 *
 * @param weight row-major {@code [classes, dim]}
 * @param bias {@code [classes]}
 */
public record LinearClassifier(float[] weight, float[] bias, int classes, int dim) {

    public LinearClassifier {
        if (weight.length != classes * dim || bias.length != classes) {
            throw new IllegalArgumentException("linear classifier: weight " + weight.length + ", bias "
                    + bias.length + " for " + classes + " classes x " + dim);
        }
    }

    /** Logits for every row of {@code x}. */
    public Features apply(Features x) {
        if (x.dim() != dim) {
            throw new IllegalArgumentException("classifier expects features of dim " + dim + ", got " + x.dim());
        }
        float[] out = new float[x.rows() * classes];
        float[] v = x.values();
        for (int r = 0; r < x.rows(); r++) {
            for (int k = 0; k < classes; k++) {
                double s = bias[k];
                int wb = k * dim;
                int xb = r * dim;
                for (int c = 0; c < dim; c++) {
                    s += weight[wb + c] * v[xb + c];
                }
                out[r * classes + k] = (float) s;
            }
        }
        return new Features(out, x.rows(), classes, x.labels());
    }
}
