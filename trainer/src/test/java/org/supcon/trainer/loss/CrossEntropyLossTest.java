package org.supcon.trainer.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.supcon.trainer.loss.ContrastiveReference.doubles;
import static org.supcon.trainer.loss.ContrastiveReference.scalar;
import static org.supcon.trainer.loss.SupConLossTest.assertMessage;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CrossEntropyLossTest {

    private final CrossEntropyLoss loss = new CrossEntropyLoss();

    /**
     * Logits (1, 2, 3) with label 2: -log(e^3 / (e^1 + e^2 + e^3)) = log(1 + e^-1 + e^-2) =
     * 0.4076059644443804. Logits (0, 0, 0) with label 0: log 3 = 1.0986122886681098. Mean:
     * 0.7531091265562451.
     */
    @Test
    void handWorkedTwoDimensional() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray logits = manager.create(new float[] {1, 2, 3, 0, 0, 0}, new Shape(2, 3));
            NDArray labels = manager.create(new int[] {2, 0});
            assertEquals(0.7531091265562451, scalar(loss.evaluate(new NDList(labels), new NDList(logits))), 1e-6);
        }
    }

    @Test
    void threeDimensionalAveragesOverBatchAndViews() {
        int batch = 2;
        int views = 3;
        int classes = 4;
        int[] labels = {1, 3};
        Random random = new Random(1);
        float[] flat = new float[batch * views * classes];
        for (int k = 0; k < flat.length; k++) {
            flat[k] = (float) (3 * random.nextGaussian());
        }
        double expected = 0;
        for (int n = 0; n < batch; n++) {
            for (int v = 0; v < views; v++) {
                int row = (n * views + v) * classes;
                double sumExp = 0;
                for (int c = 0; c < classes; c++) {
                    sumExp += Math.exp(flat[row + c]);
                }
                expected += Math.log(sumExp) - flat[row + labels[n]];
            }
        }
        expected /= batch * views;
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray logits = manager.create(flat, new Shape(batch, views, classes));
            NDArray y = manager.create(new float[] {1, 3});
            assertEquals(expected, scalar(loss.evaluate(new NDList(y), new NDList(logits))), 1e-5);
        }
    }

    @Test
    void largeLogitsStayFinite() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray logits = manager.create(new float[] {1000, 0}, new Shape(1, 2));
            NDArray y = manager.create(new long[] {1});
            assertEquals(1000.0, scalar(loss.evaluate(new NDList(y), new NDList(logits))), 1e-3);
        }
    }

    @Test
    void gradientIsSoftmaxMinusOneHotOverBatch() {
        float[] values = {1, 2, 3, 0.5f, -1, 0};
        int[] labels = {2, 0};
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray logits = manager.create(values, new Shape(2, 3));
            logits.setRequiresGradient(true);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                collector.backward(loss.evaluate(new NDList(manager.create(labels)), new NDList(logits)));
            }
            double[] gradient = doubles(logits.getGradient());
            for (int n = 0; n < 2; n++) {
                double sumExp = 0;
                for (int c = 0; c < 3; c++) {
                    sumExp += Math.exp(values[n * 3 + c]);
                }
                for (int c = 0; c < 3; c++) {
                    double expected =
                            (Math.exp(values[n * 3 + c]) / sumExp - (c == labels[n] ? 1 : 0)) / 2;
                    assertEquals(expected, gradient[n * 3 + c], 1e-6);
                }
            }
        }
    }

    @Test
    void rejectsBadShapes() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray y = manager.create(new int[] {0, 1});
            assertMessage(
                    "CrossEntropyLoss expects logits of shape [batch, classes] or [batch, views, classes], got (2)",
                    () -> loss.evaluate(new NDList(y), new NDList(manager.zeros(new Shape(2)))));
            assertMessage(
                    "CrossEntropyLoss expects labels of shape [batch] = [3], got (2)",
                    () -> loss.evaluate(new NDList(y), new NDList(manager.zeros(new Shape(3, 4)))));
        }
    }
}
