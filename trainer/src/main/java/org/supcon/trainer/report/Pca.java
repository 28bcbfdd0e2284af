package org.supcon.trainer.report;

import java.util.SplittableRandom;

/**
 * Principal component analysis of a small matrix, in plain Java: the rows projected onto the
 * leading eigenvectors of their covariance, found by power iteration with deflation. Enough for
 * a 2-D picture of a few thousand embeddings of a few hundred dimensions.
 */
public final class Pca {

    private static final int ITERATIONS = 200;

    private Pca() {}

    /**
     * @param values row-major {@code [rows, dim]}
     * @return {@code [rows][components]}: the centred rows' coordinates along the components, the
     *     first component the one of largest variance; each component's sign is fixed so that its
     *     largest-magnitude entry is positive (the same input always gives the same picture)
     */
    public static double[][] project(float[] values, int rows, int dim, int components) {
        if (values.length != (long) rows * dim) {
            throw new IllegalArgumentException(values.length + " values for " + rows + " x " + dim);
        }
        if (components < 1 || components > Math.max(dim, 1)) {
            throw new IllegalArgumentException("components must be in [1, " + dim + "], got " + components);
        }
        double[] mean = new double[dim];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < dim; c++) {
                mean[c] += values[r * dim + c];
            }
        }
        for (int c = 0; c < dim; c++) {
            mean[c] /= Math.max(rows, 1);
        }
        double[][] cov = new double[dim][dim];
        double[] x = new double[dim];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < dim; c++) {
                x[c] = values[r * dim + c] - mean[c];
            }
            for (int i = 0; i < dim; i++) {
                double xi = x[i];
                if (xi == 0) {
                    continue;
                }
                for (int j = i; j < dim; j++) {
                    cov[i][j] += xi * x[j];
                }
            }
        }
        for (int i = 0; i < dim; i++) {
            for (int j = 0; j < i; j++) {
                cov[i][j] = cov[j][i];
            }
        }
        double[][] vectors = new double[components][];
        SplittableRandom rng = new SplittableRandom(7);
        for (int k = 0; k < components; k++) {
            double[] v = new double[dim];
            for (int i = 0; i < dim; i++) {
                v[i] = rng.nextDouble() - 0.5;
            }
            for (int it = 0; it < ITERATIONS; it++) {
                double[] w = new double[dim];
                for (int i = 0; i < dim; i++) {
                    double s = 0;
                    for (int j = 0; j < dim; j++) {
                        s += cov[i][j] * v[j];
                    }
                    w[i] = s;
                }
                for (int p = 0; p < k; p++) { // stay orthogonal to the components found so far
                    double d = dot(w, vectors[p]);
                    for (int i = 0; i < dim; i++) {
                        w[i] -= d * vectors[p][i];
                    }
                }
                double n = Math.sqrt(dot(w, w));
                if (n < 1e-300) {
                    break; // no variance left in this direction
                }
                for (int i = 0; i < dim; i++) {
                    v[i] = w[i] / n;
                }
            }
            int arg = 0;
            for (int i = 1; i < dim; i++) {
                if (Math.abs(v[i]) > Math.abs(v[arg])) {
                    arg = i;
                }
            }
            if (v[arg] < 0) {
                for (int i = 0; i < dim; i++) {
                    v[i] = -v[i];
                }
            }
            vectors[k] = v;
        }
        double[][] out = new double[rows][components];
        for (int r = 0; r < rows; r++) {
            for (int k = 0; k < components; k++) {
                double s = 0;
                for (int c = 0; c < dim; c++) {
                    s += (values[r * dim + c] - mean[c]) * vectors[k][c];
                }
                out[r][k] = s;
            }
        }
        return out;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
