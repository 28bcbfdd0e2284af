package org.supcon.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;

/**
 * The key encoder of MoCo (He et al. 2020) for the supervised contrastive loss with a queue: a
 * second copy of the training network (encoder + projection head) whose weights are never trained
 * but follow the trained one as an exponential moving average,
 * {@code key = momentum * key + (1 - momentum) * query}, after every optimizer step. Its
 * projections of each batch go into the {@code FeatureQueue}, so queued features from a few
 * hundred steps back still come from nearly the same function as the current ones.
 *
 * <p>Every parameter follows the average, BatchNorm's running statistics included (they are
 * parameters in DJL), so the copy's inference-mode statistics are those of the trained network's
 * recent past. Training-only: the exported model is the trained network; this block is never
 * exported. Forward runs the copy in training mode (batch statistics, as MoCo's key encoder)
 * without recording gradients.
 */
public final class MomentumEncoder extends AbstractBlock {

    private static final byte VERSION = 1;

    private final SupConNet key;
    private final double momentum;

    /**
     * @param key a new, uninitialised network of the same architecture as the trained one
     * @param momentum the moving average's weight on the old key weights, [0, 1); 0 copies the query
     */
    public MomentumEncoder(SupConNet key, double momentum) {
        super(VERSION);
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
        }
        this.key = addChildBlock("key", key);
        this.momentum = momentum;
    }

    /** The moving average's weight on the old key weights. */
    public double momentum() {
        return momentum;
    }

    /**
     * Initialises the copy and sets its weights to the trained network's (MoCo starts both equal).
     *
     * @param query the trained network, initialised
     */
    public void initializeFrom(SupConNet query, NDManager manager, Shape inputShape) {
        initialize(manager, DataType.FLOAT32, inputShape);
        List<NDArray[]> pairs = pairs(query);
        for (NDArray[] p : pairs) {
            p[0].copyTo(p[1]);
        }
    }

    /** One moving-average step towards {@code query}'s current weights (call after each optimizer step). */
    public void update(SupConNet query) {
        float keep = (float) momentum;
        float take = (float) (1 - momentum);
        for (NDArray[] p : pairs(query)) {
            try (NDManager scratch = p[1].getManager().newSubManager()) {
                NDArray step = p[0].mul(take);
                step.attach(scratch);
                p[1].muli(keep).addi(step);
            }
        }
    }

    /** The copy's weights in parameter order (for the checkpoint). */
    public List<Parameter> parameters() {
        List<Parameter> list = new ArrayList<>();
        for (Pair<String, Parameter> p : key.getParameters()) {
            list.add(p.getValue());
        }
        return list;
    }

    /** (query array, key array) for each parameter, matched by position; the architectures must agree. */
    private List<NDArray[]> pairs(SupConNet query) {
        PairList<String, Parameter> q = query.getParameters();
        PairList<String, Parameter> k = key.getParameters();
        if (q.size() != k.size()) {
            throw new IllegalArgumentException("the momentum encoder has " + k.size() + " parameters, the trained network "
                    + q.size() + ": they must share one architecture");
        }
        List<NDArray[]> list = new ArrayList<>(q.size());
        for (int i = 0; i < q.size(); i++) {
            NDArray source = q.valueAt(i).getArray();
            NDArray target = k.valueAt(i).getArray();
            if (!source.getShape().equals(target.getShape())) {
                throw new IllegalArgumentException("parameter " + q.keyAt(i) + " has shape " + source.getShape()
                        + " in the trained network and " + target.getShape() + " in the momentum encoder");
            }
            list.add(new NDArray[] {source, target});
        }
        return list;
    }

    @Override
    protected NDList forwardInternal(ParameterStore parameterStore, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDList out = key.forward(parameterStore, inputs, training);
        return new NDList(out.singletonOrThrow().stopGradient());
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return key.getOutputShapes(inputShapes);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        key.initialize(manager, dataType, inputShapes);
    }
}
