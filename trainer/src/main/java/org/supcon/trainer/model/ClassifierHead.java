package org.supcon.trainer.model;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;

/**
 * Builds the linear classifier of the evaluation stage (and of the cross-entropy baseline): one
 * {@code Linear} with bias, features {@code [N, featureDim]} to logits {@code [N, numClasses]}.
 */
public final class ClassifierHead {

    private ClassifierHead() {}

    /**
     * Builds an uninitialised classifier; {@code Linear} learns its input width at initialisation.
     *
     * @param numClasses the number of classes, 2 or more
     * @return the classifier
     */
    public static Linear build(int numClasses) {
        if (numClasses < 2) {
            throw new IllegalArgumentException(
                    "a classifier needs at least 2 classes, got " + numClasses);
        }
        return Linear.builder().setUnits(numClasses).build();
    }

    /**
     * Builds a classifier and initialises it for {@code featureDim}-wide features.
     *
     * @param manager the manager that owns the parameters
     * @param featureDim the encoder feature dimension
     * @param numClasses the number of classes, 2 or more
     * @return the initialised classifier, {@code [N, featureDim] -> [N, numClasses]}
     */
    public static Linear build(NDManager manager, int featureDim, int numClasses) {
        if (featureDim < 1) {
            throw new IllegalArgumentException(
                    "a classifier needs featureDim >= 1, got " + featureDim);
        }
        Linear linear = build(numClasses);
        linear.initialize(manager, DataType.FLOAT32, new Shape(1, featureDim));
        return linear;
    }
}
