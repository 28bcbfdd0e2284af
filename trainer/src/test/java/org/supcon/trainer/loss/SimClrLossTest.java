package org.supcon.trainer.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.supcon.trainer.loss.ContrastiveReference.randomUnitFeatures;
import static org.supcon.trainer.loss.ContrastiveReference.scalar;
import static org.supcon.trainer.loss.ContrastiveReference.toNDArray;
import static org.supcon.trainer.loss.SupConLossTest.assertMessage;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class SimClrLossTest {

    /**
     * Same input as {@code SupConLossTest.handWorkedTwoSamplesTwoViews} (t = 1, base t = 1): the
     * positive of each anchor is its other view at similarity 0, the denominator is e^-1 + 1 + 1,
     * so the loss is log(2 + e^-1) = 0.8619948040582511 whatever labels are passed.
     */
    @Test
    void handWorkedTwoSamplesTwoViewsIgnoresLabels() {
        double[][][] features = {{{1, 0}, {0, 1}}, {{-1, 0}, {0, -1}}};
        SimClrLoss loss = SimClrLoss.builder().optTemperature(1).optBaseTemperature(1).build();
        try (NDManager manager = NDManager.newBaseManager()) {
            NDList x = new NDList(toNDArray(manager, features, DataType.FLOAT32));
            assertEquals(0.8619948040582511, scalar(loss.evaluate(new NDList(), x)), 1e-6);
            NDList sameLabels = new NDList(manager.create(new int[] {0, 0}));
            assertEquals(0.8619948040582511, scalar(loss.evaluate(sameLabels, x)), 1e-6);
        }
    }

    @Test
    void equalsSupConOutWhenAllLabelsAreDistinct() {
        try (NDManager manager = NDManager.newBaseManager()) {
            for (int views = 2; views <= 3; views++) {
                double[][][] features = randomUnitFeatures(30 + views, 5, views, 4);
                NDArray x = toNDArray(manager, features, DataType.FLOAT32);
                NDArray distinct = manager.create(new float[] {7, 3, 11, 5, -2});
                double supCon =
                        scalar(SupConLoss.builder().build().evaluate(new NDList(distinct), new NDList(x)));
                double simClr = scalar(SimClrLoss.builder().build().evaluate(new NDList(), new NDList(x)));
                assertEquals(supCon, simClr, 1e-6, "views=" + views);
                double reference =
                        ContrastiveReference.loss(features, new double[] {0, 1, 2, 3, 4}, 0.1, 0.07, false);
                assertEquals(reference, simClr, 1e-5 * Math.max(1, reference), "views=" + views);
            }
        }
    }

    @Test
    void oneViewHasNoPositivesAndGivesZero() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = toNDArray(manager, randomUnitFeatures(2, 3, 1, 4), DataType.FLOAT32);
            assertEquals(0.0, scalar(SimClrLoss.builder().build().evaluate(new NDList(), new NDList(x))), 0.0);
        }
    }

    @Test
    void rejectsBadInputAndSettings() {
        SimClrLoss loss = SimClrLoss.builder().build();
        try (NDManager manager = NDManager.newBaseManager()) {
            assertMessage(
                    "SimClrLoss expects features of shape [batch, views, dim], got (4, 128)",
                    () -> loss.evaluate(new NDList(), new NDList(manager.zeros(new Shape(4, 128)))));
        }
        assertMessage(
                "temperature must be a finite number > 0, got -1.0",
                () -> SimClrLoss.builder().optTemperature(-1).build());
        SimClrLoss built = SimClrLoss.builder().optTemperature(0.5).optBaseTemperature(0.3).build();
        assertEquals(0.5, built.getTemperature());
        assertEquals(0.3, built.getBaseTemperature());
        assertEquals("SimClrLoss", built.getName());
    }
}
