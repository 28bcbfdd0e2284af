package org.supcon.trainer.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * MoCo's queue for the supervised contrastive loss: the most recent {@code capacity} key
 * projections and their class ids, first in first out. {@link SupConLoss} contrasts every anchor
 * with the batch plus {@link #features}, positives from both, so the loss sees up to
 * {@code capacity} more samples per step than the batch holds without a bigger batch.
 *
 * <p>A ring buffer: {@link #enqueue} overwrites the oldest rows. Only the filled rows take part, so
 * an empty queue adds nothing and the loss is plain SupCon. The state (rows, ids, write position,
 * fill) round-trips through {@link #state}/{@link #load}, so a resumed run continues with the same
 * queue.
 */
public final class FeatureQueue implements AutoCloseable {

    private final int capacity;
    private final int dim;
    private final NDManager manager;
    private NDArray features;
    private NDArray ids;
    private int next;
    private int filled;

    /**
     * @param capacity rows kept, at least 1
     * @param dim the projection size
     * @param manager owns the queue's arrays (a sub-manager is made and closed with the queue)
     */
    public FeatureQueue(int capacity, int dim, NDManager manager) {
        if (capacity < 1 || dim < 1) {
            throw new IllegalArgumentException("a queue needs capacity >= 1 and dim >= 1, got " + capacity + " x " + dim);
        }
        this.capacity = capacity;
        this.dim = dim;
        this.manager = manager.newSubManager();
        this.features = this.manager.zeros(new Shape(capacity, dim), DataType.FLOAT32);
        this.ids = this.manager.zeros(new Shape(capacity), DataType.INT32);
    }

    public int capacity() {
        return capacity;
    }

    /** Rows holding features (grows to the capacity, then stays). */
    public int size() {
        return filled;
    }

    /**
     * Appends rows, overwriting the oldest once full. When more rows come than the capacity holds,
     * the last {@code capacity} are kept.
     *
     * @param keys {@code [rows, dim]}, unit length, no gradient
     * @param classIds {@code [rows]}
     */
    public void enqueue(NDArray keys, NDArray classIds) {
        Shape s = keys.getShape();
        if (s.dimension() != 2 || s.get(1) != dim || classIds.getShape().dimension() != 1
                || classIds.getShape().get(0) != s.get(0)) {
            throw new IllegalArgumentException("enqueue expects keys [rows, " + dim + "] and ids [rows], got " + s + " and "
                    + classIds.getShape());
        }
        int rows = Math.toIntExact(s.get(0));
        int from = Math.max(0, rows - capacity);
        try (NDManager scratch = manager.newSubManager()) {
            NDArray k = keys.toType(DataType.FLOAT32, true).stopGradient();
            NDArray y = classIds.toType(DataType.INT32, true);
            k.attach(scratch);
            y.attach(scratch);
            int written = from;
            while (written < rows) {
                int run = Math.min(rows - written, capacity - next);
                features.set(new NDIndex("{}:{}", next, next + run), k.get(new NDIndex("{}:{}", written, written + run)));
                ids.set(new NDIndex("{}:{}", next, next + run), y.get(new NDIndex("{}:{}", written, written + run)));
                written += run;
                next = (next + run) % capacity;
            }
        }
        filled = Math.min(capacity, filled + rows - from);
    }

    /** The filled rows {@code [size, dim]}, owned by {@code into} (empty when nothing was queued yet). */
    public NDArray features(NDManager into) {
        NDArray rows = features.get(new NDIndex("0:{}", filled));
        rows.attach(into);
        return rows;
    }

    /** The class ids of {@link #features}, {@code [size]}, owned by {@code into}. */
    public NDArray classIds(NDManager into) {
        NDArray rows = ids.get(new NDIndex("0:{}", filled));
        rows.attach(into);
        return rows;
    }

    /** Everything needed to continue: all rows, ids and [write position, fill], copied into {@code into}. */
    public NDList state(NDManager into) {
        NDList list = new NDList(features.duplicate(), ids.duplicate(), into.create(new int[] {next, filled}));
        list.forEach(a -> a.attach(into));
        return list;
    }

    /** Restores a {@link #state} of a queue with the same capacity and dim. */
    public void load(NDList state) {
        if (state.size() != 3 || !state.get(0).getShape().equals(features.getShape())
                || !state.get(1).getShape().equals(ids.getShape())) {
            throw new IllegalStateException("queue state does not match a queue of " + capacity + " x " + dim + ": "
                    + state.getShapes().length + " arrays " + java.util.Arrays.toString(state.getShapes()));
        }
        int[] position = state.get(2).toIntArray();
        if (position.length != 2 || position[0] < 0 || position[0] >= capacity || position[1] < 0 || position[1] > capacity) {
            throw new IllegalStateException("queue state has a bad position " + java.util.Arrays.toString(position));
        }
        state.get(0).copyTo(features);
        state.get(1).toType(DataType.INT32, false).copyTo(ids);
        next = position[0];
        filled = position[1];
    }

    @Override
    public void close() {
        manager.close();
    }
}
