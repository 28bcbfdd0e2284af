package org.supcon.trainer.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.supcon.trainer.images.ImageGeometry;
import org.supcon.trainer.model.EncoderType;
import org.supcon.trainer.model.HeadType;
import org.supcon.trainer.model.SupConNet;
import org.supcon.trainer.train.LinearClassifier;

/** Small "trained" networks and images for the export tests. */
final class ExportFixtures {

    static final int CLASSES = 10;

    private ExportFixtures() {}

    /**
     * A network whose batch norms are far from their initial state (gamma 1, beta 0, running mean
     * 0, running variance 1): all four are set to random values, so that the export of
     * inference-mode batch norm is really exercised. (Setting the running statistics directly is
     * much faster than training-mode passes, which take seconds for ResNet-50 here.)
     */
    static SupConNet net(NDManager manager, EncoderType type, ImageGeometry g,
            boolean contrastive, long seed) {
        Engine.getInstance().setRandomSeed((int) seed);
        SupConNet net = contrastive
                ? SupConNet.forContrastive(type, g.channels(), HeadType.MLP, 32)
                : SupConNet.forCrossEntropy(type, g.channels(), CLASSES);
        net.initialize(manager, DataType.FLOAT32,
                new Shape(1, g.channels(), g.height(), g.width()));
        Random rnd = new Random(seed);
        for (Pair<String, Parameter> p : net.getParameters()) {
            NDArray a = p.getValue().getArray();
            switch (p.getValue().getType()) {
                case GAMMA -> fill(a, rnd, 0.6f, 1.4f);
                case BETA -> fill(a, rnd, -0.2f, 0.2f);
                case RUNNING_MEAN -> fill(a, rnd, -0.3f, 0.3f);
                case RUNNING_VAR -> fill(a, rnd, 0.5f, 2.0f);
                default -> { }
            }
        }
        return net;
    }

    private static void fill(NDArray a, Random rnd, float lo, float hi) {
        float[] v = new float[(int) a.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = lo + (hi - lo) * rnd.nextFloat();
        }
        a.set(FloatBuffer.wrap(v));
    }

    /** A random linear classifier, as the linear probe would produce. */
    static LinearClassifier classifier(int dim, long seed) {
        Random rnd = new Random(seed);
        float[] w = new float[CLASSES * dim];
        float scale = (float) (1 / Math.sqrt(dim));
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) rnd.nextGaussian() * scale;
        }
        float[] b = new float[CLASSES];
        for (int k = 0; k < CLASSES; k++) {
            b[k] = (float) rnd.nextGaussian() * 0.1f;
        }
        return new LinearClassifier(w, b, CLASSES, dim);
    }

    /**
     * Raw-pixel images, integers 0..255: smooth blobs plus noise rather than pure noise, so that
     * features vary between images as they would on real data.
     */
    static float[] images(int n, ImageGeometry g, long seed) {
        Random rnd = new Random(seed);
        float[] out = new float[n * g.pixels()];
        for (int i = 0; i < n; i++) {
            double cy = rnd.nextDouble() * g.height();
            double cx = rnd.nextDouble() * g.width();
            double radius = 3 + rnd.nextDouble() * g.width() / 3.0;
            for (int c = 0; c < g.channels(); c++) {
                double level = 60 + rnd.nextDouble() * 195;
                for (int y = 0; y < g.height(); y++) {
                    for (int x = 0; x < g.width(); x++) {
                        double d = Math.hypot(y - cy, x - cx) / radius;
                        double v = level * Math.exp(-d * d) + rnd.nextGaussian() * 12;
                        out[((i * g.channels() + c) * g.height() + y) * g.width() + x] =
                                (float) Math.rint(Math.max(0, Math.min(255, v)));
                    }
                }
            }
        }
        return out;
    }

    /**
     * Exports {@code net} with {@code probe} (null: its own classifier), runs the parity check on
     * {@code images} synthetic images and asserts that it passed at batch sizes 1 and {@code
     * batch} with identical argmax and unit-norm embeddings.
     */
    static ParityReport assertParity(NDManager manager, SupConNet net, LinearClassifier probe,
            ImageGeometry g, int images, int batch) {
        long t0 = System.nanoTime();
        byte[] onnx = OnnxExporter.export(net, probe, metadata(g));
        long t1 = System.nanoTime();
        ParityReport r = ParityCheck.run(manager, new ParameterStore(manager, false), net, probe,
                onnx, images(images, g, 23), g, batch);
        long t2 = System.nanoTime();
        System.out.printf("%s %s %s: export %d ms (%d bytes), parity %d ms: %s%n",
                net.encoderType(), g, probe == null ? "own classifier" : "probe",
                (t1 - t0) / 1_000_000, onnx.length, (t2 - t1) / 1_000_000, r.message());
        assertTrue(r.passed(), r.message());
        assertEquals(List.of(1, batch), r.batchSizes());
        assertEquals(images + 1, r.rowsCompared());
        assertEquals(0, r.argmaxDisagreements(), r.message());
        assertTrue(r.maxEmbeddingDiff() <= 1e-4, r.message());
        assertTrue(r.maxLogitDiff() <= 1e-4, r.message());
        assertTrue(r.maxNormDeviation() <= 1e-4, r.message());
        return r;
    }

    static ModelMetadata metadata(ImageGeometry g) {
        return new ModelMetadata(labels(), g, "test-model", "1", Map.of("method", "test"));
    }

    static List<String> labels() {
        List<String> labels = new ArrayList<>();
        for (int k = 0; k < CLASSES; k++) {
            labels.add("class-" + k);
        }
        return labels;
    }
}
