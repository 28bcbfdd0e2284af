package org.supcon.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.List;

/**
 * SGD with momentum and weight decay, with the update rule of {@code torch.optim.SGD}
 * (dampening 0, no Nesterov):
 *
 * <pre>
 *   d   = grad + weightDecay * w
 *   buf = momentum * buf + d
 *   w   = w - lr * buf
 * </pre>
 *
 * <p>Written here rather than using DJL's {@code Sgd} because a resumed run must continue with
 * the same momentum buffers, and DJL keeps them private. Gradients are zeroed after each step
 * (PyTorch accumulates them otherwise). Parameters that do not require gradients (BatchNorm
 * running statistics) are left alone.
 */
public final class SgdMomentum {

    private final List<Parameter> parameters = new ArrayList<>();
    private final List<String> names = new ArrayList<>();
    private final NDArray[] buffers;
    private final double momentum;
    private final double weightDecay;
    private final NDManager manager;

    public SgdMomentum(NDManager manager, Block block, double momentum, double weightDecay) {
        this.manager = manager;
        this.momentum = momentum;
        this.weightDecay = weightDecay;
        for (Pair<String, Parameter> p : block.getParameters()) {
            if (p.getValue().requiresGradient()) {
                names.add(p.getKey());
                parameters.add(p.getValue());
            }
        }
        buffers = new NDArray[parameters.size()];
    }

    /** Applies one update with learning rate {@code lr} and clears the gradients. */
    public void step(double lr) {
        for (int i = 0; i < parameters.size(); i++) {
            NDArray w = parameters.get(i).getArray();
            try (NDManager scratch = manager.newSubManager()) {
                NDArray grad = w.getGradient();
                grad.attach(scratch);
                NDArray d = weightDecay == 0 ? grad : w.mul((float) weightDecay);
                d.attach(scratch);
                if (weightDecay != 0) {
                    d.addi(grad);
                }
                if (momentum == 0) {
                    NDArray update = d.mul((float) lr);
                    update.attach(scratch);
                    w.subi(update);
                } else {
                    if (buffers[i] == null) {
                        buffers[i] = d.duplicate();
                        buffers[i].attach(manager);
                    } else {
                        buffers[i].muli((float) momentum).addi(d);
                    }
                    NDArray update = buffers[i].mul((float) lr);
                    update.attach(scratch);
                    w.subi(update);
                }
                grad.subi(grad);
            }
        }
    }

    /** The momentum buffers, in parameter order (zeros where no step was taken yet). */
    public NDList state(NDManager into) {
        NDList list = new NDList();
        for (int i = 0; i < parameters.size(); i++) {
            NDArray b = buffers[i] == null
                    ? into.zeros(parameters.get(i).getArray().getShape())
                    : buffers[i].duplicate();
            b.attach(into);
            b.setName(names.get(i));
            list.add(b);
        }
        return list;
    }

    /** Restores buffers saved by {@link #state}; shapes and names must match. */
    public void load(NDList state) {
        if (state.size() != parameters.size()) {
            throw new IllegalStateException("optimizer state has " + state.size()
                    + " buffers, the model has " + parameters.size() + " trainable parameters");
        }
        for (int i = 0; i < parameters.size(); i++) {
            NDArray b = state.get(i);
            if (!b.getShape().equals(parameters.get(i).getArray().getShape())) {
                throw new IllegalStateException("optimizer state for " + names.get(i) + " has shape "
                        + b.getShape() + ", parameter has " + parameters.get(i).getArray().getShape());
            }
            if (buffers[i] != null) {
                buffers[i].close();
            }
            buffers[i] = b.duplicate();
            buffers[i].attach(manager);
        }
    }
}
