package org.supcon.trainer.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Random;

/**
 * Plain-Java double-precision SupCon written straight from the paper's formulas (no max
 * subtraction, no masks as arrays), to check the NDArray implementation against.
 */
final class ContrastiveReference {

    private ContrastiveReference() {}

    /**
     * Per-anchor loss in view-major order (anchor k = sample k % batch, view k / batch); NaN for an
     * anchor without positives, where the formula is undefined.
     */
    static double[] perAnchor(
            double[][][] features, double[] labels, double t, double baseT, boolean inside) {
        return perAnchor(features, labels, new double[0][], new double[0], t, baseT, inside);
    }

    /**
     * {@link #perAnchor(double[][][], double[], double, double, boolean)} with a queue: the queue's
     * rows join every anchor's A(i), and those with the anchor's label its P(i); they are never anchors.
     */
    static double[] perAnchor(double[][][] features, double[] labels, double[][] queue, double[] queueLabels,
            double t, double baseT, boolean inside) {
        int batch = features.length;
        int views = features[0].length;
        int n = batch * views;
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            double[] zi = features[i % batch][i / batch];
            double denominator = 0;
            for (int a = 0; a < n; a++) {
                if (a != i) {
                    denominator += Math.exp(dot(zi, features[a % batch][a / batch]) / t);
                }
            }
            for (double[] q : queue) {
                denominator += Math.exp(dot(zi, q) / t);
            }
            int positives = 0;
            double sumLogProb = 0;
            double sumProb = 0;
            for (int p = 0; p < n + queue.length; p++) {
                boolean fromQueue = p >= n;
                double label = fromQueue ? queueLabels[p - n] : labels[p % batch];
                if (p != i && label == labels[i % batch]) {
                    double similarity = dot(zi, fromQueue ? queue[p - n] : features[p % batch][p / batch]) / t;
                    positives++;
                    sumLogProb += similarity - Math.log(denominator);
                    sumProb += Math.exp(similarity) / denominator;
                }
            }
            if (positives == 0) {
                out[i] = Double.NaN;
            } else if (inside) {
                out[i] = -(t / baseT) * Math.log(sumProb / positives);
            } else {
                out[i] = -(t / baseT) * sumLogProb / positives;
            }
        }
        return out;
    }

    /** Mean of {@link #perAnchor}, requiring every anchor to have a positive. */
    static double loss(
            double[][][] features, double[] labels, double t, double baseT, boolean inside) {
        double sum = 0;
        double[] perAnchor = perAnchor(features, labels, t, baseT, inside);
        for (double value : perAnchor) {
            if (Double.isNaN(value)) {
                throw new IllegalStateException("anchor without positives in a test input");
            }
            sum += value;
        }
        return sum / perAnchor.length;
    }

    static double dot(double[] a, double[] b) {
        double sum = 0;
        for (int k = 0; k < a.length; k++) {
            sum += a[k] * b[k];
        }
        return sum;
    }

    /** Gaussian vectors normalised to unit length, shape [batch][views][dim]. */
    static double[][][] randomUnitFeatures(long seed, int batch, int views, int dim) {
        Random random = new Random(seed);
        double[][][] features = new double[batch][views][dim];
        for (double[][] sample : features) {
            for (double[] view : sample) {
                double norm = 0;
                for (int k = 0; k < dim; k++) {
                    view[k] = random.nextGaussian();
                    norm += view[k] * view[k];
                }
                for (int k = 0; k < dim; k++) {
                    view[k] /= Math.sqrt(norm);
                }
            }
        }
        return features;
    }

    static NDArray toNDArray(NDManager manager, double[][][] values, DataType type) {
        int d0 = values.length;
        int d1 = values[0].length;
        int d2 = values[0][0].length;
        double[] flat = new double[d0 * d1 * d2];
        for (int i = 0; i < d0; i++) {
            for (int j = 0; j < d1; j++) {
                System.arraycopy(values[i][j], 0, flat, (i * d1 + j) * d2, d2);
            }
        }
        return manager.create(flat, new Shape(d0, d1, d2)).toType(type, false);
    }

    static double scalar(NDArray array) {
        if (array.getShape().dimension() != 0) {
            throw new AssertionError("expected a scalar, got shape " + array.getShape());
        }
        return array.toType(DataType.FLOAT64, false).getDouble();
    }

    static double[] doubles(NDArray array) {
        return array.toType(DataType.FLOAT64, false).toDoubleArray();
    }
}
