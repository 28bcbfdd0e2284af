package org.supcon.trainer.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.loss.Loss;

/**
 * Softmax cross-entropy on class logits, for the cross-entropy baseline and the linear probe.
 *
 * <p>Inputs: {@code predictions} holds one floating array of logits of shape {@code [batch,
 * classes]} or {@code [batch, views, classes]}; {@code labels} holds one array of class ids of
 * shape {@code [batch]} (any numeric type, values in {@code [0, classes)}), shared by all views of
 * a sample. Output: a scalar.
 *
 * <pre>
 *   loss = 1/(batch * views) * sum_{n, v} -log softmax(x_{n,v})[y_n]
 *        = 1/(batch * views) * sum_{n, v} ( logsumexp_c x_{n,v,c} - x_{n,v,y_n} )
 * </pre>
 *
 * <p>({@code views = 1} for 2-D input.) Computed with {@code logSoftmax}, so large logits do not
 * overflow.
 */
public final class CrossEntropyLoss extends Loss {

    /** Creates the loss named {@code CrossEntropyLoss}. */
    public CrossEntropyLoss() {
        this("CrossEntropyLoss");
    }

    /** Creates the loss with the name under which DJL records it. */
    public CrossEntropyLoss(String name) {
        super(name);
    }

    /**
     * Computes the loss.
     *
     * @param labels one array of class ids, shape {@code [batch]}
     * @param predictions one array of logits, shape {@code [batch, classes]} or {@code [batch,
     *     views, classes]}
     * @return a scalar: the mean negative log-likelihood over batch (and views)
     */
    @Override
    public NDArray evaluate(NDList labels, NDList predictions) {
        if (predictions == null || predictions.size() != 1) {
            throw new IllegalArgumentException(
                    getName()
                            + " expects predictions = one logits array, got "
                            + (predictions == null ? "null" : predictions.size() + " arrays"));
        }
        NDArray logits = predictions.head();
        Shape shape = logits.getShape();
        if (shape.dimension() != 2 && shape.dimension() != 3) {
            throw new IllegalArgumentException(
                    getName()
                            + " expects logits of shape [batch, classes] or [batch, views,"
                            + " classes], got "
                            + shape);
        }
        if (!logits.getDataType().isFloating()) {
            throw new IllegalArgumentException(
                    getName() + " expects floating-point logits, got " + logits.getDataType());
        }
        NDArray classIds = SupConLoss.checkLabels(labels, shape.get(0), getName());
        int classes = Math.toIntExact(shape.get(shape.dimension() - 1));

        NDArray target =
                classIds.toDevice(logits.getDevice(), false)
                        .toType(DataType.INT64, false)
                        .oneHot(classes, logits.getDataType());
        if (shape.dimension() == 3) {
            target = target.expandDims(1);
        }
        return logits.logSoftmax(-1).mul(target).sum(new int[] {-1}).neg().mean();
    }
}
