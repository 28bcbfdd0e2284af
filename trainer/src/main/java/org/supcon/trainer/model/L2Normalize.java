package org.supcon.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Scales each row onto the unit sphere: {@code [N, D] -> [N, D]}, {@code y = x / max(||x||_2,
 * eps)} along axis 1, as torch's {@code F.normalize(x, dim=1)}. A zero row stays zero (no NaN). No
 * parameters.
 */
public final class L2Normalize extends AbstractBlock {

    /** The default epsilon, torch's {@code F.normalize} default. */
    public static final float DEFAULT_EPSILON = 1e-12f;

    private static final byte VERSION = 1;
    private static final int[] AXIS = {1};

    private final float epsilon;

    /** Creates an L2 normalisation with {@link #DEFAULT_EPSILON}. */
    public L2Normalize() {
        this(DEFAULT_EPSILON);
    }

    /**
     * Creates an L2 normalisation.
     *
     * @param epsilon the lower bound on the norm, positive
     */
    public L2Normalize(float epsilon) {
        super(VERSION);
        if (!(epsilon > 0)) {
            throw new IllegalArgumentException("L2Normalize epsilon must be > 0, got " + epsilon);
        }
        this.epsilon = epsilon;
    }

    /**
     * The lower bound on the norm.
     *
     * @return epsilon
     */
    public float epsilon() {
        return epsilon;
    }

    /**
     * The axis normalised over.
     *
     * @return 1
     */
    public int axis() {
        return AXIS[0];
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore,
            NDList inputs,
            boolean training,
            PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        requireRows(x.getShape());
        // norm() rather than sqrt(sum(x^2)): at a zero row torch's norm backward gives 0, while
        // sqrt's gives inf and then NaN.
        NDArray norm = x.norm(AXIS, true).maximum(epsilon);
        return new NDList(x.div(norm));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        requireRows(inputShapes[0]);
        return inputShapes;
    }

    private static void requireRows(Shape shape) {
        if (shape.dimension() != 2) {
            throw new IllegalArgumentException(
                    "L2Normalize expects input of shape [N, D], got " + shape);
        }
    }

    @Override
    public String toString() {
        return "L2Normalize(axis=1, eps=" + epsilon + ")";
    }
}
