package org.supcon.trainer.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.supcon.trainer.loss.ContrastiveReference.doubles;
import static org.supcon.trainer.loss.ContrastiveReference.randomUnitFeatures;
import static org.supcon.trainer.loss.ContrastiveReference.scalar;
import static org.supcon.trainer.loss.ContrastiveReference.toNDArray;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.loss.Loss;
import org.junit.jupiter.api.Test;

class SupConLossTest {

    private static SupConLoss loss(double t, double baseT, SupConLoss.Variant variant) {
        return SupConLoss.builder()
                .optTemperature(t)
                .optBaseTemperature(baseT)
                .optVariant(variant)
                .build();
    }

    private static double evaluate(Loss loss, NDArray features, NDArray labels) {
        return scalar(loss.evaluate(new NDList(labels), new NDList(features)));
    }

    /**
     * Hand-worked, t = 1, base t = 1 (scale 1). Features [batch 2, views 2, dim 2]: sample 0 has
     * views (1,0), (0,1); sample 1 has (-1,0), (0,-1). View-major anchors: z0 = (1,0), z1 = (-1,0),
     * z2 = (0,1), z3 = (0,-1). Every anchor sees, over A(i), one opposite vector (z.z = -1) and two
     * orthogonal ones (z.z = 0), so the denominator is D = e^-1 + 1 + 1 = 2.367879441171442 for
     * all, log D = 0.8619948040582511.
     *
     * <p>Labels (0, 1): P(i) = the other view, similarity 0: log_prob = -log D, so L_out = L_in =
     * log D = 0.8619948040582511.
     *
     * <p>Labels (0, 0): P(i) = all three others, similarities {-1, 0, 0}. L_out = -1/3 * ((-1 -
     * log D) + (0 - log D) + (0 - log D)) = log D + 1/3 = 1.1953281373915845. L_in = -log(1/3 *
     * (e^-1 + 1 + 1) / D) = log 3 = 1.0986122886681098.
     */
    @Test
    void handWorkedTwoSamplesTwoViews() {
        double[][][] features = {{{1, 0}, {0, 1}}, {{-1, 0}, {0, -1}}};
        try (NDManager manager = NDManager.newBaseManager()) {
            for (DataType type : new DataType[] {DataType.FLOAT64, DataType.FLOAT32}) {
                double tolerance = type == DataType.FLOAT64 ? 1e-12 : 1e-6;
                NDArray x = toNDArray(manager, features, type);
                NDArray distinct = manager.create(new int[] {0, 1});
                NDArray same = manager.create(new int[] {0, 0});
                SupConLoss out = loss(1, 1, SupConLoss.Variant.OUT);
                SupConLoss in = loss(1, 1, SupConLoss.Variant.IN);

                assertEquals(0.8619948040582511, evaluate(out, x, distinct), tolerance);
                assertEquals(0.8619948040582511, evaluate(in, x, distinct), tolerance);
                assertEquals(1.1953281373915845, evaluate(out, x, same), tolerance);
                assertEquals(1.0986122886681098, evaluate(in, x, same), tolerance);
            }
        }
    }

    @Test
    void matchesPlainJavaReferenceOnRandomBatches() {
        double[] labels = {0, 1, 0, 2, 1, 2};
        try (NDManager manager = NDManager.newBaseManager()) {
            for (int views = 1; views <= 3; views++) {
                double[][][] features = randomUnitFeatures(views, labels.length, views, 5);
                for (DataType type : new DataType[] {DataType.FLOAT64, DataType.FLOAT32}) {
                    double tolerance = type == DataType.FLOAT64 ? 1e-10 : 1e-5;
                    NDArray x = toNDArray(manager, features, type);
                    NDArray y = manager.create(new long[] {0, 1, 0, 2, 1, 2});
                    for (SupConLoss.Variant variant : SupConLoss.Variant.values()) {
                        boolean inside = variant == SupConLoss.Variant.IN;
                        double expected =
                                ContrastiveReference.loss(features, labels, 0.1, 0.07, inside);
                        double actual = evaluate(loss(0.1, 0.07, variant), x, y);
                        assertEquals(
                                expected,
                                actual,
                                tolerance * Math.max(1, Math.abs(expected)),
                                "views=" + views + " " + type + " " + variant);
                    }
                }
            }
        }
    }

    @Test
    void labelSeenOnceWithThreeViewsUsesItsOtherViewsAsPositives() {
        // Labels 1 and 2 appear once: their anchors' only positives are their 2 other views.
        double[] labels = {0, 1, 0, 2};
        double[][][] features = randomUnitFeatures(11, 4, 3, 4);
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = toNDArray(manager, features, DataType.FLOAT64);
            NDArray y = manager.create(labels);
            for (SupConLoss.Variant variant : SupConLoss.Variant.values()) {
                boolean inside = variant == SupConLoss.Variant.IN;
                double[] expected = ContrastiveReference.perAnchor(features, labels, 0.1, 0.07, inside);
                double[] actual = doubles(loss(0.1, 0.07, variant).perAnchorLoss(x, y));
                assertEquals(12, actual.length);
                for (int k = 0; k < expected.length; k++) {
                    assertEquals(expected[k], actual[k], 1e-10, variant + " anchor " + k);
                }
                // Anchor 1 (sample 1, view 0): L_out averages log_prob over views 1 and 2 only.
                double[] z = features[1][0];
                double denominator = 0;
                for (int a = 0; a < 12; a++) {
                    if (a != 1) {
                        double[] za = features[a % 4][a / 4];
                        denominator += Math.exp(ContrastiveReference.dot(z, za) / 0.1);
                    }
                }
                double sim1 = ContrastiveReference.dot(z, features[1][1]) / 0.1;
                double sim2 = ContrastiveReference.dot(z, features[1][2]) / 0.1;
                double byHand =
                        inside
                                ? -(0.1 / 0.07)
                                        * Math.log((Math.exp(sim1) + Math.exp(sim2)) / 2 / denominator)
                                : -(0.1 / 0.07) * ((sim1 + sim2) / 2 - Math.log(denominator));
                assertEquals(byHand, actual[1], 1e-10);
            }
        }
    }

    @Test
    void anchorWithoutPositivesContributesZero() {
        // One view; labels 1 and 2 appear once, so anchors 1 and 3 have no positive at all.
        double[] labels = {0, 1, 0, 2};
        double[][][] features = randomUnitFeatures(5, 4, 1, 3);
        try (NDManager manager = NDManager.newBaseManager()) {
            for (SupConLoss.Variant variant : SupConLoss.Variant.values()) {
                boolean inside = variant == SupConLoss.Variant.IN;
                double[] reference = ContrastiveReference.perAnchor(features, labels, 0.1, 0.07, inside);
                assertTrue(Double.isNaN(reference[1]) && Double.isNaN(reference[3]));
                double expected = (reference[0] + 0 + reference[2] + 0) / 4;

                NDArray x = toNDArray(manager, features, DataType.FLOAT32);
                NDArray y = manager.create(new int[] {0, 1, 0, 2});
                SupConLoss loss = loss(0.1, 0.07, variant);
                double[] perAnchor = doubles(loss.perAnchorLoss(x, y));
                assertEquals(0.0, perAnchor[1], 0.0);
                assertEquals(0.0, perAnchor[3], 0.0);
                double[] gradient = gradient(loss, x, y);
                double actual = evaluate(loss, x, y);
                assertTrue(Double.isFinite(actual));
                assertEquals(expected, actual, 1e-5, variant.toString());
                for (double g : gradient) {
                    assertTrue(Double.isFinite(g), variant + " gradient " + g);
                }
            }
        }
    }

    @Test
    void noPositivesAnywhereGivesZeroLossAndZeroGradient() {
        double[][][] features = randomUnitFeatures(8, 5, 1, 3);
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = toNDArray(manager, features, DataType.FLOAT32);
            NDArray y = manager.create(new int[] {4, 3, 2, 1, 0});
            for (SupConLoss.Variant variant : SupConLoss.Variant.values()) {
                SupConLoss loss = loss(0.1, 0.07, variant);
                assertEquals(0.0, evaluate(loss, x, y), 0.0);
                for (double g : gradient(loss, x, y)) {
                    assertEquals(0.0, g, 0.0, variant.toString());
                }
            }
        }
    }

    @Test
    void selfSimilarityIsMaskedOut() {
        // An extra coordinate that only anchor (sample 1, view 0) uses raises its self-similarity
        // by h^2 and leaves every other dot product unchanged.
        double[][][] base = randomUnitFeatures(3, 3, 2, 3);
        double[] labels = {0, 1, 0};
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray y = manager.create(labels);
            for (SupConLoss.Variant variant : SupConLoss.Variant.values()) {
                SupConLoss loss = loss(0.1, 0.07, variant);
                double plain = evaluate(loss, toNDArray(manager, withSelfBoost(base, 0), DataType.FLOAT32), y);
                double boosted = evaluate(loss, toNDArray(manager, withSelfBoost(base, 10), DataType.FLOAT32), y);
                assertTrue(Double.isFinite(boosted), variant + " gave " + boosted);
                assertEquals(plain, boosted, 1e-5, variant.toString());
            }
        }
    }

    private static double[][][] withSelfBoost(double[][][] base, double h) {
        double[][][] out = new double[base.length][base[0].length][];
        for (int i = 0; i < base.length; i++) {
            for (int v = 0; v < base[0].length; v++) {
                out[i][v] = java.util.Arrays.copyOf(base[i][v], base[i][v].length + 1);
            }
        }
        out[1][0][base[0][0].length] = h;
        return out;
    }

    @Test
    void gradientMatchesCentralFiniteDifferences() {
        double[] labels = {0, 1, 0, 1, 2};
        double[][][] features = randomUnitFeatures(21, 5, 2, 3);
        double eps = 1e-6;
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = toNDArray(manager, features, DataType.FLOAT64);
            NDArray y = manager.create(labels);
            for (SupConLoss.Variant variant : SupConLoss.Variant.values()) {
                boolean inside = variant == SupConLoss.Variant.IN;
                double[] analytic = gradient(loss(0.1, 0.07, variant), x, y);
                int index = 0;
                for (int i = 0; i < 5; i++) {
                    for (int v = 0; v < 2; v++) {
                        for (int k = 0; k < 3; k++) {
                            double original = features[i][v][k];
                            features[i][v][k] = original + eps;
                            double up = ContrastiveReference.loss(features, labels, 0.1, 0.07, inside);
                            features[i][v][k] = original - eps;
                            double down = ContrastiveReference.loss(features, labels, 0.1, 0.07, inside);
                            features[i][v][k] = original;
                            double numeric = (up - down) / (2 * eps);
                            assertEquals(
                                    numeric,
                                    analytic[index],
                                    1e-6 * Math.max(1, Math.abs(numeric)),
                                    variant + " d/dx[" + i + "," + v + "," + k + "]");
                            index++;
                        }
                    }
                }
            }
        }
    }

    private static double[] gradient(Loss loss, NDArray features, NDArray labels) {
        NDArray x = features.duplicate();
        x.setRequiresGradient(true);
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray value = loss.evaluate(new NDList(labels), new NDList(x));
            collector.backward(value);
        }
        return doubles(x.getGradient());
    }

    @Test
    void outIsAtLeastInForEveryAnchor() {
        // Jensen: -mean(log p) >= -log(mean p), equal only when an anchor's positives tie.
        double[][][] features = randomUnitFeatures(17, 6, 3, 4);
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = toNDArray(manager, features, DataType.FLOAT32);
            NDArray y = manager.create(new int[] {0, 1, 0, 1, 0, 2});
            double[] out = doubles(loss(0.1, 0.07, SupConLoss.Variant.OUT).perAnchorLoss(x, y));
            double[] in = doubles(loss(0.1, 0.07, SupConLoss.Variant.IN).perAnchorLoss(x, y));
            double gap = 0;
            for (int k = 0; k < out.length; k++) {
                assertTrue(out[k] >= in[k] - 1e-5, "anchor " + k + ": " + out[k] + " < " + in[k]);
                gap += out[k] - in[k];
            }
            assertTrue(gap > 1e-3, "L_out and L_in coincide on every anchor");
        }
    }

    @Test
    void baseTemperatureOnlyScalesTheLoss() {
        double[][][] features = randomUnitFeatures(4, 4, 2, 3);
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = toNDArray(manager, features, DataType.FLOAT32);
            NDArray y = manager.create(new int[] {0, 1, 1, 0});
            for (SupConLoss.Variant variant : SupConLoss.Variant.values()) {
                double unscaled = evaluate(loss(0.2, 0.2, variant), x, y);
                double halved = evaluate(loss(0.2, 0.4, variant), x, y);
                double defaults =
                        evaluate(SupConLoss.builder().optVariant(variant).build(), x, y);
                double defaultsUnscaled = evaluate(loss(0.1, 0.1, variant), x, y);
                assertTrue(unscaled > 0.1);
                assertEquals(unscaled / 2, halved, 1e-6);
                assertEquals(defaultsUnscaled * 0.1 / 0.07, defaults, 1e-5);
            }
        }
    }

    @Test
    void labelDtypeDoesNotMatter() {
        double[][][] features = randomUnitFeatures(9, 4, 2, 3);
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = toNDArray(manager, features, DataType.FLOAT32);
            SupConLoss loss = SupConLoss.builder().build();
            double asInt = evaluate(loss, x, manager.create(new int[] {3, 7, 3, 9}));
            double asLong = evaluate(loss, x, manager.create(new long[] {3, 7, 3, 9}));
            double asFloat = evaluate(loss, x, manager.create(new float[] {3, 7, 3, 9}));
            double expected =
                    ContrastiveReference.loss(features, new double[] {3, 7, 3, 9}, 0.1, 0.07, false);
            assertEquals(expected, asInt, 1e-5);
            assertEquals(asInt, asLong);
            assertEquals(asInt, asFloat);
        }
    }

    @Test
    void rejectsBadShapesWithClearMessages() {
        SupConLoss loss = SupConLoss.builder().build();
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray y = manager.create(new int[] {0, 1, 0, 1});
            assertMessage(
                    "SupConLoss expects features of shape [batch, views, dim], got (4, 128)",
                    () -> loss.evaluate(new NDList(y), new NDList(manager.zeros(new Shape(4, 128)))));
            NDArray x = manager.ones(new Shape(4, 2, 3));
            assertMessage(
                    "SupConLoss expects labels of shape [batch] = [4], got (4, 1)",
                    () -> loss.evaluate(new NDList(y.reshape(4, 1)), new NDList(x)));
            assertMessage(
                    "SupConLoss expects labels of shape [batch] = [4], got (3)",
                    () -> loss.evaluate(new NDList(manager.create(new int[] {0, 1, 2})), new NDList(x)));
            assertMessage(
                    "SupConLoss expects labels = one array of class ids of shape [batch] = [4], got 0 arrays",
                    () -> loss.evaluate(new NDList(), new NDList(x)));
            assertMessage(
                    "SupConLoss expects predictions = one features array of shape [batch, views, dim], got 3 arrays",
                    () -> loss.evaluate(new NDList(y), new NDList(x, x, x)));
            assertMessage(
                    "SupConLoss needs at least 2 anchors (batch * views) to contrast, got features (1, 1, 3)",
                    () -> loss.evaluate(new NDList(manager.create(new int[] {0})),
                            new NDList(manager.ones(new Shape(1, 1, 3)))));
            assertMessage(
                    "SupConLoss expects floating-point features, got int32",
                    () -> loss.evaluate(new NDList(y), new NDList(x.toType(DataType.INT32, false))));
        }
    }

    @Test
    void builderRejectsBadSettings() {
        assertMessage(
                "temperature must be a finite number > 0, got 0.0",
                () -> SupConLoss.builder().optTemperature(0).build());
        assertMessage(
                "temperature must be a finite number > 0, got NaN",
                () -> SupConLoss.builder().optTemperature(Double.NaN).build());
        assertMessage(
                "baseTemperature must be a finite number > 0, got -0.07",
                () -> SupConLoss.builder().optBaseTemperature(-0.07).build());
        assertMessage(
                "SupConLoss variant must not be null",
                () -> SupConLoss.builder().optVariant(null).build());
        SupConLoss built =
                SupConLoss.builder()
                        .optTemperature(0.5)
                        .optBaseTemperature(0.25)
                        .optVariant(SupConLoss.Variant.IN)
                        .build();
        assertEquals(0.5, built.getTemperature());
        assertEquals(0.25, built.getBaseTemperature());
        assertEquals(SupConLoss.Variant.IN, built.getVariant());
        assertEquals("SupConLoss", built.getName());
    }

    static void assertMessage(String expected, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertEquals(expected, e.getMessage());
    }
}
