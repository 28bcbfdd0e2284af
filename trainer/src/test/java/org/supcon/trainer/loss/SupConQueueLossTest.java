package org.supcon.trainer.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
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
import org.junit.jupiter.api.Test;

/** SupCon against the batch plus a queue of earlier features (MoCo style): {@link SupConLoss} with two inputs. */
class SupConQueueLossTest {

    private static SupConLoss loss(double t, double baseT, SupConLoss.Variant variant) {
        return SupConLoss.builder().optTemperature(t).optBaseTemperature(baseT).optVariant(variant).build();
    }

    private static double withQueue(SupConLoss loss, NDArray features, NDArray labels, NDArray queue, NDArray queueLabels) {
        return scalar(loss.evaluate(new NDList(labels, queueLabels), new NDList(features, queue)));
    }

    /**
     * Hand-worked, t = b = 1. One image, two views z0 = (1,0), z1 = (0,1), label 0; queue q0 = (1,0)
     * label 0, q1 = (-1,0) label 1.
     *
     * <p>Anchor z0: A = {z1, q0, q1}, similarities {0, 1, -1}: D0 = 1 + e + 1/e = 4.086161269630487;
     * P = {z1, q0}: L_out = -(1/2)((0 - log D0) + (1 - log D0)) = log D0 - 1/2 = 0.9076059644443804;
     * L_in = -log((1 + e) / 2 / D0) = 0.7874914574861027.
     *
     * <p>Anchor z1: similarities {0, 0, 0}: D1 = 3; P = {z0, q0}: L_out = L_in = log 3 = 1.0986122886681098.
     *
     * <p>Loss = the mean: L_out = 1.003109126556245, L_in = 0.9430518730771063. Without the queue,
     * both anchors' only positive is the other view at similarity 0 and the only other row: loss 0.
     */
    @Test
    void handWorkedQueuePositivesAndNegatives() {
        try (NDManager manager = NDManager.newBaseManager()) {
            for (DataType type : new DataType[] {DataType.FLOAT64, DataType.FLOAT32}) {
                double tolerance = type == DataType.FLOAT64 ? 1e-12 : 1e-6;
                NDArray x = toNDArray(manager, new double[][][] {{{1, 0}, {0, 1}}}, type);
                NDArray y = manager.create(new int[] {0});
                NDArray queue = manager.create(new double[] {1, 0, -1, 0}, new Shape(2, 2)).toType(type, false);
                NDArray queueLabels = manager.create(new int[] {0, 1});
                assertEquals(1.003109126556245, withQueue(loss(1, 1, SupConLoss.Variant.OUT), x, y, queue, queueLabels), tolerance);
                assertEquals(0.9430518730771063, withQueue(loss(1, 1, SupConLoss.Variant.IN), x, y, queue, queueLabels), tolerance);
                assertEquals(0.0, scalar(loss(1, 1, SupConLoss.Variant.OUT).evaluate(new NDList(y), new NDList(x))), tolerance);
            }
        }
    }

    /** Anchors with no positive in the batch get one from the queue: their loss is no longer 0. */
    @Test
    void queueGivesPositivesToAnchorsThatHadNone() {
        try (NDManager manager = NDManager.newBaseManager()) {
            // two images, one view each, different labels: no anchor has a positive in the batch
            NDArray x = toNDArray(manager, new double[][][] {{{1, 0}}, {{0, 1}}}, DataType.FLOAT64);
            NDArray y = manager.create(new int[] {0, 1});
            SupConLoss out = loss(1, 1, SupConLoss.Variant.OUT);
            assertEquals(0.0, scalar(out.evaluate(new NDList(y), new NDList(x))), 1e-12);
            // queue row (1,0) with label 0: a positive of anchor 0 (similarity 1) and a negative of anchor 1 (0)
            NDArray queue = manager.create(new double[] {1, 0}, new Shape(1, 2));
            NDArray queueLabels = manager.create(new int[] {0});
            // anchor 0: A = {z1 (0), q (1)}: -(1 - log(1 + e)); anchor 1: no positive: 0
            double expected = (Math.log(1 + Math.E) - 1) / 2;
            assertEquals(expected, withQueue(out, x, y, queue, queueLabels), 1e-12);
        }
    }

    @Test
    void matchesPlainJavaReferenceWithRandomQueues() {
        double[] labels = {0, 1, 0, 2, 1, 2};
        try (NDManager manager = NDManager.newBaseManager()) {
            for (int views = 1; views <= 2; views++) {
                double[][][] features = randomUnitFeatures(11 + views, labels.length, views, 5);
                double[][][] queueAsBatch = randomUnitFeatures(40 + views, 9, 1, 5);
                double[][] queue = new double[9][];
                double[] queueLabels = new double[9];
                for (int i = 0; i < 9; i++) {
                    queue[i] = queueAsBatch[i][0];
                    queueLabels[i] = i % 4; // label 3 is in the queue only: a negative for everyone
                }
                for (SupConLoss.Variant variant : SupConLoss.Variant.values()) {
                    boolean inside = variant == SupConLoss.Variant.IN;
                    double[] per = ContrastiveReference.perAnchor(features, labels, queue, queueLabels, 0.5, 0.07, inside);
                    double expected = java.util.Arrays.stream(per).average().orElseThrow();
                    NDArray q = manager.create(flatten(queue), new Shape(9, 5));
                    NDArray ql = manager.create(queueLabels).toType(DataType.INT64, false);
                    double actual = withQueue(loss(0.5, 0.07, variant), toNDArray(manager, features, DataType.FLOAT64),
                            manager.create(new long[] {0, 1, 0, 2, 1, 2}), q, ql);
                    assertEquals(expected, actual, 1e-10, variant + " with " + views + " views");
                    double plain = ContrastiveReference.loss(features, labels, 0.5, 0.07, inside);
                    assertNotEquals(plain, actual, 1e-6, "the queue changed nothing");
                }
            }
        }
    }

    /** An empty queue (what the first step sees) gives exactly plain SupCon. */
    @Test
    void emptyQueueEqualsPlainSupCon() {
        try (NDManager manager = NDManager.newBaseManager()) {
            double[][][] features = randomUnitFeatures(5, 6, 2, 8);
            NDArray x = toNDArray(manager, features, DataType.FLOAT32);
            NDArray y = manager.create(new int[] {0, 1, 0, 2, 1, 2});
            for (SupConLoss.Variant variant : SupConLoss.Variant.values()) {
                SupConLoss l = loss(0.1, 0.07, variant);
                double plain = scalar(l.evaluate(new NDList(y), new NDList(x)));
                double empty = withQueue(l, x, y, manager.zeros(new Shape(0, 8)), manager.zeros(new Shape(0), DataType.INT32));
                assertEquals(plain, empty, 0.0, variant.toString());
            }
        }
    }

    /** The queue is constant: the gradient reaches the batch's features and never the queue. */
    @Test
    void noGradientFlowsIntoTheQueue() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = toNDArray(manager, randomUnitFeatures(2, 4, 2, 3), DataType.FLOAT32);
            NDArray queue = toNDArray(manager, randomUnitFeatures(3, 5, 1, 3), DataType.FLOAT32).reshape(5, 3);
            x.setRequiresGradient(true);
            queue.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray l = loss(0.1, 0.07, SupConLoss.Variant.OUT).evaluate(
                        new NDList(manager.create(new int[] {0, 1, 0, 1}), manager.create(new int[] {0, 1, 0, 1, 0})),
                        new NDList(x, queue));
                gc.backward(l);
            }
            assertTrue(x.getGradient().abs().sum().getFloat() > 0, "no gradient on the batch");
            assertEquals(0f, queue.getGradient().abs().sum().getFloat(), 0f, "gradient reached the queue");
        }
    }

    @Test
    void badQueueShapesAreNamed() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = toNDArray(manager, randomUnitFeatures(2, 4, 2, 3), DataType.FLOAT32);
            NDArray y = manager.create(new int[] {0, 1, 0, 1});
            SupConLoss l = loss(0.1, 0.07, SupConLoss.Variant.OUT);
            IllegalArgumentException wrongDim = assertThrows(IllegalArgumentException.class,
                    () -> l.evaluate(new NDList(y, manager.create(new int[] {0})), new NDList(x, manager.zeros(new Shape(1, 4)))));
            assertTrue(wrongDim.getMessage().contains("[queue, 3]"), wrongDim.getMessage());
            IllegalArgumentException wrongIds = assertThrows(IllegalArgumentException.class,
                    () -> l.evaluate(new NDList(y, manager.create(new int[] {0, 1})), new NDList(x, manager.zeros(new Shape(1, 3)))));
            assertTrue(wrongIds.getMessage().contains("queue class ids of shape [1]"), wrongIds.getMessage());
            IllegalArgumentException noIds = assertThrows(IllegalArgumentException.class,
                    () -> l.evaluate(new NDList(y), new NDList(x, manager.zeros(new Shape(1, 3)))));
            assertTrue(noIds.getMessage().contains("queue class ids"), noIds.getMessage());
        }
    }

    private static double[] flatten(double[][] rows) {
        return java.util.Arrays.stream(rows).flatMapToDouble(java.util.Arrays::stream).toArray();
    }
}
