package org.supcon.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.util.List;
import org.supcon.trainer.loss.FeatureQueue;
import org.supcon.trainer.model.MomentumEncoder;
import org.supcon.trainer.model.SupConNet;

/**
 * The training-only state of SupCon with a queue: the {@link MomentumEncoder} and the
 * {@link FeatureQueue} of its projections. Per step: {@link #keys} before the loss (the momentum
 * encoder's view of the batch), {@link #lossInputs} for the loss, {@link #afterStep} after the
 * optimizer (moving average, then the batch's keys enqueued). Saved in the checkpoint beside the
 * network, so a resumed run continues with the same encoder copy and queue.
 */
public final class MomentumQueue implements Checkpoint.Extra, AutoCloseable {

    private final MomentumEncoder encoder;
    private final FeatureQueue queue;

    /**
     * @param trained the network being trained, initialised
     * @param copy a new network of the same architecture (becomes the momentum encoder)
     */
    public MomentumQueue(SupConNet trained, SupConNet copy, int size, double momentum, int projectionDim,
            NDManager manager, Shape inputShape) {
        this.encoder = new MomentumEncoder(copy, momentum);
        encoder.initializeFrom(trained, manager, inputShape);
        this.queue = new FeatureQueue(size, projectionDim, manager);
    }

    /** The momentum encoder's projections of a batch {@code [rows, dim]}, without gradient. */
    public NDArray keys(ParameterStore ps, NDArray x) {
        return encoder.forward(ps, new NDList(x), true).singletonOrThrow();
    }

    /**
     * The loss' inputs: the batch's features and ids, plus the queue's rows and ids.
     *
     * @param byImage the trained network's projections {@code [batch, views, dim]}
     * @param classIds {@code [batch]}
     */
    public NDList[] lossInputs(NDArray byImage, NDArray classIds, NDManager into) {
        return new NDList[] {new NDList(classIds, queue.classIds(into)), new NDList(byImage, queue.features(into))};
    }

    /** After the optimizer's step: the moving average, then the batch's keys (view-major) and ids into the queue. */
    public void afterStep(SupConNet trained, NDArray keys, NDArray classIds, int views) {
        encoder.update(trained);
        queue.enqueue(keys, classIds.tile(views));
    }

    /** Rows in the queue now. */
    public int size() {
        return queue.size();
    }

    @Override
    public NDList save(NDManager into) {
        NDList list = new NDList();
        for (Parameter p : encoder.parameters()) {
            NDArray a = p.getArray().duplicate();
            a.attach(into);
            list.add(a);
        }
        list.addAll(queue.state(into));
        return list;
    }

    @Override
    public void load(NDList saved) throws IOException {
        List<Parameter> params = encoder.parameters();
        if (saved.size() != params.size() + 3) {
            throw new IOException("the checkpoint's queue state holds " + saved.size() + " arrays, expected "
                    + (params.size() + 3) + " (momentum encoder parameters + queue)");
        }
        for (int i = 0; i < params.size(); i++) {
            NDArray target = params.get(i).getArray();
            if (!target.getShape().equals(saved.get(i).getShape())) {
                throw new IOException("momentum encoder parameter " + i + " has shape " + saved.get(i).getShape()
                        + " in the checkpoint, the model expects " + target.getShape());
            }
            saved.get(i).copyTo(target);
        }
        try {
            queue.load(new NDList(saved.subNDList(params.size())));
        } catch (IllegalStateException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        queue.close();
    }
}
