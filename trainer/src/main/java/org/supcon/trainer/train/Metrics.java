package org.supcon.trainer.train;

/** Classification metrics over predicted and true class ids. */
public final class Metrics {

    private Metrics() {}

    public static double accuracy(int[] predicted, int[] truth) {
        if (predicted.length != truth.length) {
            throw new IllegalArgumentException(predicted.length + " predictions for " + truth.length + " labels");
        }
        if (truth.length == 0) {
            return Double.NaN;
        }
        int hit = 0;
        for (int i = 0; i < truth.length; i++) {
            if (predicted[i] == truth[i]) {
                hit++;
            }
        }
        return (double) hit / truth.length;
    }

    /** {@code [true][predicted]} counts. */
    public static int[][] confusion(int[] predicted, int[] truth, int classes) {
        int[][] m = new int[classes][classes];
        for (int i = 0; i < truth.length; i++) {
            m[truth[i]][predicted[i]]++;
        }
        return m;
    }

    /**
     * k-nearest-neighbour accuracy with cosine similarity and a majority vote (ties to the
     * nearer neighbours' class): the cheap per-epoch view of how well an embedding separates
     * classes, without training a classifier.
     */
    public static double knnAccuracy(Features reference, Features query, int k, int classes) {
        if (reference.dim() != query.dim()) {
            throw new IllegalArgumentException("kNN: dim " + reference.dim() + " vs " + query.dim());
        }
        if (query.rows() == 0 || reference.rows() == 0) {
            return Double.NaN;
        }
        float[] ref = normalizedRows(reference);
        float[] q = normalizedRows(query);
        int d = reference.dim();
        int kk = Math.min(k, reference.rows());
        int[] predicted = new int[query.rows()];
        float[] topSim = new float[kk];
        int[] topIdx = new int[kk];
        for (int i = 0; i < query.rows(); i++) {
            java.util.Arrays.fill(topSim, Float.NEGATIVE_INFINITY);
            for (int j = 0; j < reference.rows(); j++) {
                float s = 0;
                int qi = i * d;
                int rj = j * d;
                for (int c = 0; c < d; c++) {
                    s += q[qi + c] * ref[rj + c];
                }
                if (s > topSim[kk - 1]) {
                    int p = kk - 1;
                    while (p > 0 && topSim[p - 1] < s) {
                        topSim[p] = topSim[p - 1];
                        topIdx[p] = topIdx[p - 1];
                        p--;
                    }
                    topSim[p] = s;
                    topIdx[p] = j;
                }
            }
            double[] votes = new double[classes];
            for (int p = 0; p < kk; p++) {
                // a tiny rank-based bonus breaks ties toward nearer neighbours
                votes[reference.labels()[topIdx[p]]] += 1.0 + 1e-6 * (kk - p);
            }
            int best = 0;
            for (int c = 1; c < classes; c++) {
                if (votes[c] > votes[best]) {
                    best = c;
                }
            }
            predicted[i] = best;
        }
        return accuracy(predicted, query.labels());
    }

    private static float[] normalizedRows(Features f) {
        float[] out = f.values().clone();
        int d = f.dim();
        for (int r = 0; r < f.rows(); r++) {
            double n = 0;
            for (int c = 0; c < d; c++) {
                n += out[r * d + c] * out[r * d + c];
            }
            float inv = (float) (1.0 / Math.max(Math.sqrt(n), 1e-12));
            for (int c = 0; c < d; c++) {
                out[r * d + c] *= inv;
            }
        }
        return out;
    }
}
