package org.supcon.trainer.model;

import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;

/**
 * Builds the projection head {@code z = Proj(r)}: {@code [N, inDim] -> [N, outDim]}, rows of unit
 * L2 norm so that inner products are cosine similarities. Used only for the contrastive loss and
 * dropped after pretraining.
 */
public final class ProjectionHead {

    /** The paper's projection dimension. */
    public static final int DEFAULT_OUT_DIM = 128;

    private ProjectionHead() {}

    /**
     * Builds a head with the paper's 128-d output.
     *
     * @param type MLP or linear
     * @param inDim the encoder feature dimension
     * @return the head
     */
    public static SequentialBlock build(HeadType type, int inDim) {
        return build(type, inDim, DEFAULT_OUT_DIM);
    }

    /**
     * Builds a head: {@code MLP = [Linear(in, in), Relu, Linear(in, out), L2Normalize]}, {@code
     * LINEAR = [Linear(in, out), L2Normalize]}; the linear layers have biases.
     *
     * @param type MLP or linear
     * @param inDim the encoder feature dimension
     * @param outDim the projection dimension
     * @return the head, {@code [N, inDim] -> [N, outDim]}
     */
    public static SequentialBlock build(HeadType type, int inDim, int outDim) {
        if (type == null) {
            throw new IllegalArgumentException("projection head type must be given");
        }
        if (inDim < 1 || outDim < 1) {
            throw new IllegalArgumentException(
                    "projection head needs inDim and outDim >= 1, got " + inDim + " and " + outDim);
        }
        SequentialBlock head = new SequentialBlock();
        if (type == HeadType.MLP) {
            head.add(Linear.builder().setUnits(inDim).build());
            head.add(new Relu());
        }
        head.add(Linear.builder().setUnits(outDim).build());
        head.add(new L2Normalize());
        return head;
    }
}
