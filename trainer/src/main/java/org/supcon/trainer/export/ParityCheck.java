package org.supcon.trainer.export;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.supcon.trainer.images.ImageGeometry;
import org.supcon.common.model.OnnxContract;
import org.supcon.trainer.model.L2Normalize;
import org.supcon.trainer.model.SupConNet;
import org.supcon.trainer.train.Features;
import org.supcon.trainer.train.LinearClassifier;

/**
 * Checks that an exported model computes what the DJL network computes: runs both on the same
 * raw-pixel images, the DJL network in inference mode and the ONNX model in ONNX Runtime (CPU,
 * default session options, as a server would load it), and compares embeddings, logits,
 * probabilities and predicted classes.
 *
 * <p>The ONNX model runs at two batch sizes: the first image alone, then all images in batches of
 * the given size (the last one possibly smaller), which also exercises the dynamic batch
 * dimension. A predicted class may differ only where the DJL logits of the two top classes are
 * within {@code 2 * tolerance} of each other (a tie the tolerance cannot resolve); such rows are
 * counted but do not fail the check.
 */
public final class ParityCheck {

    /** The default absolute tolerance. */
    public static final double TOLERANCE = 1e-4;

    private ParityCheck() {}

    /**
     * Compares at {@link #TOLERANCE}.
     *
     * @param manager a manager for the DJL computation (sub-managers are closed per batch)
     * @param parameterStore the parameter store to run the network with
     * @param net the network that was exported
     * @param classifierOrNull the classifier that was exported, or null for {@code
     *     net.classifier()}
     * @param onnx the exported model
     * @param images raw pixels 0..255, {@code [n, C, H, W]} row-major, n >= 1
     * @param geometry the image geometry
     * @param batch the larger batch size, e.g. 64
     * @return the report
     * @throws IllegalStateException if ONNX Runtime cannot load or run the model
     */
    public static ParityReport run(NDManager manager, ParameterStore parameterStore,
            SupConNet net, LinearClassifier classifierOrNull, byte[] onnx, float[] images,
            ImageGeometry geometry, int batch) {
        return run(manager, parameterStore, net, classifierOrNull, onnx, images, geometry, batch,
                TOLERANCE);
    }

    /**
     * Compares at a given tolerance.
     *
     * @param manager a manager for the DJL computation
     * @param parameterStore the parameter store to run the network with
     * @param net the network that was exported
     * @param classifierOrNull the exported classifier, or null for {@code net.classifier()}
     * @param onnx the exported model
     * @param images raw pixels 0..255, {@code [n, C, H, W]} row-major, n >= 1
     * @param geometry the image geometry
     * @param batch the larger batch size
     * @param tolerance the absolute tolerance, positive
     * @return the report
     * @throws IllegalStateException if ONNX Runtime cannot load or run the model
     */
    public static ParityReport run(NDManager manager, ParameterStore parameterStore,
            SupConNet net, LinearClassifier classifierOrNull, byte[] onnx, float[] images,
            ImageGeometry geometry, int batch, double tolerance) {
        int pixels = geometry.pixels();
        if (images.length == 0 || images.length % pixels != 0) {
            throw new IllegalArgumentException("parity check needs whole images of " + geometry
                    + " (" + pixels + " values each), got " + images.length + " values");
        }
        if (batch < 1) {
            throw new IllegalArgumentException("parity check batch size must be >= 1, got "
                    + batch);
        }
        if (!(tolerance > 0)) {
            throw new IllegalArgumentException("parity tolerance must be > 0, got " + tolerance);
        }
        Linear linear = null;
        if (classifierOrNull == null) {
            linear = net.classifier().orElseThrow(() -> new IllegalArgumentException(
                    "a contrastive network has no classifier of its own; pass the exported"
                            + " LinearClassifier"));
        }
        int n = images.length / pixels;
        Stats stats = new Stats(tolerance);
        List<Integer> batchSizes = new ArrayList<>();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
                OrtSession session = env.createSession(onnx, options)) {
            Runner runner = new Runner(manager, parameterStore, net, classifierOrNull, linear,
                    env, session, images, geometry, stats);
            runner.compare(0, 1);
            batchSizes.add(1);
            for (int start = 0; start < n; start += batch) {
                int size = Math.min(batch, n - start);
                runner.compare(start, size);
                if (!batchSizes.contains(size)) {
                    batchSizes.add(size);
                }
            }
        } catch (OrtException e) {
            throw new IllegalStateException(
                    "ONNX Runtime could not load or run the exported model: " + e.getMessage(), e);
        }
        return stats.report(n, batchSizes);
    }

    private record Runner(NDManager manager, ParameterStore ps, SupConNet net,
            LinearClassifier probe, Linear linear, OrtEnvironment env, OrtSession session,
            float[] images, ImageGeometry geometry, Stats stats) {

        void compare(int start, int size) throws OrtException {
            int pixels = geometry.pixels();
            float[] chunk = Arrays.copyOfRange(images, start * pixels, (start + size) * pixels);
            long[] shape = {size, geometry.channels(), geometry.height(), geometry.width()};
            int dim = net.featureDim();
            float[] djlEmbedding;
            float[] djlLogits;
            try (NDManager m = manager.newSubManager()) {
                NDArray x = m.create(chunk, new Shape(shape));
                NDArray features = net.embed(ps, x, false);
                NDArray norm = features.norm(new int[] {1}, true)
                        .maximum(L2Normalize.DEFAULT_EPSILON);
                djlEmbedding = features.div(norm).toFloatArray();
                if (probe != null) {
                    djlLogits = probe.apply(new Features(features.toFloatArray(), size, dim,
                            new int[size])).values();
                } else {
                    djlLogits = linear.forward(ps, new NDList(features), false)
                            .singletonOrThrow().toFloatArray();
                }
            }
            int classes = djlLogits.length / size;
            try (OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(chunk), shape);
                    OrtSession.Result result = session.run(Map.of(OnnxContract.INPUT, input))) {
                float[] embedding = output(result, OnnxContract.EMBEDDING, size, dim);
                float[] logits = output(result, OnnxContract.LOGITS, size, classes);
                float[] probabilities = output(result, OnnxContract.PROBABILITIES, size, classes);
                if (embedding == null || logits == null || probabilities == null) {
                    return;
                }
                stats.add(start, size, dim, classes, djlEmbedding, djlLogits, embedding, logits,
                        probabilities);
            }
        }

        private float[] output(OrtSession.Result result, String name, int rows, int cols)
                throws OrtException {
            OnnxValue value = result.get(name).orElse(null);
            if (!(value instanceof OnnxTensor tensor)) {
                stats.problem("ONNX output " + name + " is missing or not a tensor");
                return null;
            }
            long[] shape = tensor.getInfo().getShape();
            if (!Arrays.equals(shape, new long[] {rows, cols})) {
                stats.problem("ONNX output " + name + " has shape " + Arrays.toString(shape)
                        + " at batch " + rows + ", expected [" + rows + ", " + cols + "]");
                return null;
            }
            FloatBuffer buffer = tensor.getFloatBuffer();
            float[] out = new float[buffer.remaining()];
            buffer.get(out);
            return out;
        }
    }

    /** Running maxima over all compared rows. */
    private static final class Stats {
        private final double tolerance;
        private final List<String> problems = new ArrayList<>();
        private int rows;
        private double embeddingDiff;
        private String embeddingWhere = "";
        private double logitDiff;
        private double maxAbsLogit;
        private String logitWhere = "";
        private double probabilityDiff;
        private double normDeviation;
        private int disagreements;
        private int unexplained;
        private String disagreementWhere = "";

        Stats(double tolerance) {
            this.tolerance = tolerance;
        }

        void problem(String message) {
            if (!problems.contains(message)) {
                problems.add(message);
            }
        }

        void add(int start, int size, int dim, int classes, float[] djlEmbedding,
                float[] djlLogits, float[] embedding, float[] logits, float[] probabilities) {
            for (int r = 0; r < size; r++) {
                String where = "image " + (start + r) + " at batch " + size;
                rows++;
                double sq = 0;
                for (int c = 0; c < dim; c++) {
                    int i = r * dim + c;
                    double d = Math.abs((double) djlEmbedding[i] - embedding[i]);
                    if (worse(d, embeddingDiff)) {
                        embeddingDiff = d;
                        embeddingWhere = where;
                    }
                    sq += (double) embedding[i] * embedding[i];
                }
                normDeviation = nanMax(normDeviation, Math.abs(Math.sqrt(sq) - 1));
                double[] p = softmax(djlLogits, r * classes, classes);
                for (int k = 0; k < classes; k++) {
                    int i = r * classes + k;
                    double d = Math.abs((double) djlLogits[i] - logits[i]);
                    maxAbsLogit = Math.max(maxAbsLogit, Math.abs(djlLogits[i]));
                    if (worse(d, logitDiff)) {
                        logitDiff = d;
                        logitWhere = where;
                    }
                    probabilityDiff = nanMax(probabilityDiff, Math.abs(p[k] - probabilities[i]));
                }
                int expected = argmax(djlLogits, r * classes, classes);
                int actual = argmax(logits, r * classes, classes);
                if (expected != actual) {
                    disagreements++;
                    if (topTwoMargin(djlLogits, r * classes, classes) > 2 * tolerance) {
                        unexplained++;
                        disagreementWhere = where + ": DJL class " + expected + ", ONNX class "
                                + actual;
                    }
                }
            }
        }

        ParityReport report(int images, List<Integer> batchSizes) {
            List<String> failed = new ArrayList<>(problems);
            check(failed, "embedding", embeddingDiff, embeddingWhere);
            check(failed, "logits", logitDiff, logitWhere);
            check(failed, "probabilities", probabilityDiff, "");
            if (!(normDeviation <= tolerance)) {
                failed.add(String.format(Locale.ROOT,
                        "embedding rows are not unit norm: max | ||embedding|| - 1 | %.3e > %.1e",
                        normDeviation, tolerance));
            }
            if (unexplained > 0) {
                failed.add("argmax differs on " + unexplained + " of " + rows
                        + " rows with a clear top class (e.g. " + disagreementWhere + ")");
            }
            String summary = String.format(Locale.ROOT,
                    "%d rows (%d images, batch sizes %s): max |diff| embedding %.3e, logits %.3e"
                            + " (max |logit| %.3g), probabilities %.3e; argmax agrees on %d/%d;"
                            + " max | ||embedding|| - 1 | %.3e; tolerance %.1e",
                    rows, images, batchSizes, embeddingDiff, logitDiff, maxAbsLogit,
                    probabilityDiff,
                    rows - disagreements, rows, normDeviation, tolerance);
            boolean passed = failed.isEmpty() && rows > 0;
            String message = passed
                    ? "ONNX parity ok on " + summary
                    : "ONNX parity FAILED: " + String.join("; ", failed) + ". Compared " + summary;
            return new ParityReport(images, rows, batchSizes, embeddingDiff, logitDiff,
                    probabilityDiff, disagreements, normDeviation, tolerance, passed, message);
        }

        private void check(List<String> failed, String what, double diff, String where) {
            if (!(diff <= tolerance)) {
                failed.add(String.format(Locale.ROOT, "%s max |diff| %.3e > %.1e%s", what, diff,
                        tolerance, where.isEmpty() ? "" : " (" + where + ")"));
            }
        }

        /** A NaN difference is the worst and, once seen, stays the maximum. */
        private static boolean worse(double d, double max) {
            return !Double.isNaN(max) && (Double.isNaN(d) || d > max);
        }

        private static double nanMax(double a, double b) {
            return Double.isNaN(a) || Double.isNaN(b) ? Double.NaN : Math.max(a, b);
        }

        private static double[] softmax(float[] logits, int offset, int classes) {
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < classes; k++) {
                max = Math.max(max, logits[offset + k]);
            }
            double[] p = new double[classes];
            double sum = 0;
            for (int k = 0; k < classes; k++) {
                p[k] = Math.exp(logits[offset + k] - max);
                sum += p[k];
            }
            for (int k = 0; k < classes; k++) {
                p[k] /= sum;
            }
            return p;
        }

        private static int argmax(float[] v, int offset, int classes) {
            int best = 0;
            for (int k = 1; k < classes; k++) {
                if (v[offset + k] > v[offset + best]) {
                    best = k;
                }
            }
            return best;
        }

        private static double topTwoMargin(float[] v, int offset, int classes) {
            double first = Double.NEGATIVE_INFINITY;
            double second = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < classes; k++) {
                double x = v[offset + k];
                if (x > first) {
                    second = first;
                    first = x;
                } else if (x > second) {
                    second = x;
                }
            }
            return first - second;
        }
    }
}
