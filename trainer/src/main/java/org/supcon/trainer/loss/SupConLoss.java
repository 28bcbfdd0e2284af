package org.supcon.trainer.loss;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.loss.Loss;

/**
 * Supervised Contrastive loss (Khosla et al. 2020), as in HobbitLong/SupContrast {@code losses.py}
 * with contrast mode {@code all}: every view of every sample is an anchor.
 *
 * <p>Inputs: {@code predictions} holds one array {@code features} of shape {@code [batch, views,
 * dim]}, L2-normalised along {@code dim}, any {@code views >= 1}, floating point; {@code labels}
 * holds one array of shape {@code [batch]} of class ids (any numeric type, compared for equality).
 * Output: a scalar, the mean over all {@code N = views * batch} anchors.
 *
 * <p>The views are stacked view-major into {@code z} of shape {@code [N, dim]} (rows {@code
 * 0..batch-1} are view 0). For anchor {@code i}, {@code A(i)} is every row but {@code i} and
 * {@code P(i)} the rows of {@code A(i)} with the label of {@code i}. With temperature {@code t} and
 * base temperature {@code b}:
 *
 * <pre>
 *   log_prob(i, p) = z_i.z_p / t - log( sum_{a in A(i)} exp(z_i.z_a / t) )
 *   OUT: l_i = -(t / b) * 1/|P(i)| * sum_{p in P(i)} log_prob(i, p)
 *   IN:  l_i = -(t / b) * log( 1/|P(i)| * sum_{p in P(i)} exp(log_prob(i, p)) )
 *   loss = 1/N * sum_i l_i,   with l_i = 0 when P(i) is empty
 * </pre>
 *
 * <p>Numerics: the row maximum (over {@code A(i)}, without gradient) is subtracted before {@code
 * exp}; the anchor itself is masked out of numerator and denominator; {@code IN} takes the log of
 * the mean over positives as a log-sum-exp with its own maximum. Only {@link NDArray} operations
 * are used, so the loss is differentiable through the engine's autograd.
 */
public final class SupConLoss extends Loss {

    /** Where the average over positives sits relative to the log (paper Table 1). */
    public enum Variant {
        /** {@code L_out}: the mean over positives is outside the log (the paper's loss). */
        OUT,
        /** {@code L_in}: the mean over positives is inside the log. */
        IN
    }

    public static final double DEFAULT_TEMPERATURE = 0.1;
    public static final double DEFAULT_BASE_TEMPERATURE = 0.07;

    private final double temperature;
    private final double baseTemperature;
    private final Variant variant;

    private SupConLoss(Builder builder) {
        super(builder.name);
        this.temperature = builder.temperature;
        this.baseTemperature = builder.baseTemperature;
        this.variant = builder.variant;
    }

    /** Returns a builder with temperature 0.1, base temperature 0.07 and variant {@code OUT}. */
    public static Builder builder() {
        return new Builder();
    }

    public double getTemperature() {
        return temperature;
    }

    public double getBaseTemperature() {
        return baseTemperature;
    }

    public Variant getVariant() {
        return variant;
    }

    /**
     * Computes the loss.
     *
     * @param labels one array of class ids, shape {@code [batch]}; with a queue, a second array of
     *     the queue's class ids, shape {@code [queue]}
     * @param predictions one array of features, shape {@code [batch, views, dim]}; with a queue, a
     *     second array of the queue's unit-length features, shape {@code [queue, dim]} (no gradient
     *     flows into them)
     * @return a scalar: the mean over the {@code views * batch} anchors
     */
    @Override
    public NDArray evaluate(NDList labels, NDList predictions) {
        if (predictions != null && predictions.size() == 2) {
            NDArray features = checkFeatures(new NDList(predictions.get(0)), getName());
            if (labels == null || labels.size() != 2) {
                throw new IllegalArgumentException(getName() + " with a queue expects labels = [class ids, queue class ids], got "
                        + (labels == null ? "null" : labels.size() + " arrays"));
            }
            NDArray classIds = checkLabels(new NDList(labels.get(0)), features.getShape().get(0), getName());
            NDArray queue = predictions.get(1);
            NDArray queueIds = labels.get(1);
            long dim = features.getShape().get(2);
            if (queue.getShape().dimension() != 2 || queue.getShape().get(1) != dim) {
                throw new IllegalArgumentException(getName() + " expects queue features of shape [queue, " + dim + "], got "
                        + queue.getShape());
            }
            if (queueIds.getShape().dimension() != 1 || queueIds.getShape().get(0) != queue.getShape().get(0)) {
                throw new IllegalArgumentException(getName() + " expects queue class ids of shape [" + queue.getShape().get(0)
                        + "], got " + queueIds.getShape());
            }
            return perAnchorLoss(features, classIds, queue, queueIds).mean();
        }
        NDArray features = checkFeatures(predictions, getName());
        NDArray classIds = checkLabels(labels, features.getShape().get(0), getName());
        return perAnchorLoss(features, classIds).mean();
    }

    /**
     * Per-anchor loss {@code l_i}, shape {@code [views * batch]} in view-major order. Inputs must
     * already be validated. Shared with {@link SimClrLoss}, which passes identity class ids.
     */
    NDArray perAnchorLoss(NDArray features, NDArray classIds) {
        return perAnchorLoss(features, classIds, null, null);
    }

    /**
     * Per-anchor loss against the batch plus a queue of earlier features (a momentum encoder's,
     * MoCo style): {@code A(i)} is every batch row but {@code i} and every queue row, {@code P(i)}
     * those of them with the label of {@code i}. The queue's rows are constants (gradient stopped);
     * an empty or absent queue gives exactly the batch-only loss.
     */
    NDArray perAnchorLoss(NDArray features, NDArray classIds, NDArray queue, NDArray queueIds) {
        Shape shape = features.getShape();
        long batch = shape.get(0);
        long views = shape.get(1);
        int n = Math.toIntExact(batch * views);
        DataType dtype = features.getDataType();
        Device device = features.getDevice();
        NDManager manager = features.getManager();
        int[] rows = {1};

        NDArray z = features.transpose(1, 0, 2).reshape(n, shape.get(2));
        NDArray ids = classIds.toDevice(device, false).tile(views);
        NDArray contrast = z;
        NDArray contrastIds = ids;
        int m = n;
        if (queue != null && queue.getShape().get(0) > 0) {
            contrast = z.concat(queue.toDevice(device, false).toType(dtype, false).stopGradient(), 0);
            contrastIds = ids.concat(queueIds.toDevice(device, false).toType(ids.getDataType(), false), 0);
            m = Math.toIntExact(n + queue.getShape().get(0));
        }
        // [n, m]: anchor i against contrast row j; the anchors are the first n rows of the contrast set
        NDArray self = manager.eye(n, m, 0, dtype, device).eq(1);
        NDArray positive = ids.reshape(n, 1).eq(contrastIds.reshape(1, m)).logicalAnd(self.logicalNot());
        NDArray negInf = manager.full(new Shape(n, m), Float.NEGATIVE_INFINITY, dtype, device);

        NDArray logits = z.matMul(contrast.transpose()).div(temperature);
        // The max is taken over A(i) only (the reference includes i itself): equal for normalised
        // features, and a large self-similarity can then never underflow the denominator to 0.
        NDArray rowMax = NDArrays.where(self, negInf, logits.stopGradient()).max(rows, true);
        logits = logits.sub(rowMax);
        // where() before exp(): a masked self term must not become inf * 0 = NaN.
        NDArray logDenominator = NDArrays.where(self, negInf, logits).exp().sum(rows, true).log();
        NDArray logProb = logits.sub(logDenominator);

        NDArray positiveCount = positive.toType(dtype, false).sum(rows);
        // Anchors without positives get a count of 1 and a zero sum, hence exactly 0.
        NDArray safeCount = positiveCount.maximum(1);
        NDArray meanTerm;
        if (variant == Variant.OUT) {
            meanTerm = logProb.mul(positive.toType(dtype, false)).sum(rows).div(safeCount);
        } else {
            NDArray positiveLogProb = NDArrays.where(positive, logProb, negInf);
            NDArray hasPositive = positiveCount.gt(0).reshape(n, 1);
            NDArray zeros = manager.zeros(new Shape(n, 1), dtype, device);
            NDArray positiveMax =
                    NDArrays.where(
                            hasPositive, positiveLogProb.stopGradient().max(rows, true), zeros);
            NDArray sumExp = positiveLogProb.sub(positiveMax).exp().sum(rows, true);
            // Rows without positives have sumExp 0; adding 1 there makes their log 0, not -inf.
            sumExp = sumExp.add(hasPositive.logicalNot().toType(dtype, false));
            meanTerm = positiveMax.add(sumExp.log()).reshape(n).sub(safeCount.log());
        }
        return meanTerm.mul(-temperature / baseTemperature);
    }

    /** Validates {@code predictions} as one floating array of shape [batch, views, dim]. */
    static NDArray checkFeatures(NDList predictions, String lossName) {
        if (predictions == null || predictions.size() != 1) {
            throw new IllegalArgumentException(
                    lossName
                            + " expects predictions = one features array of shape [batch, views,"
                            + " dim], got "
                            + (predictions == null ? "null" : predictions.size() + " arrays"));
        }
        NDArray features = predictions.head();
        Shape shape = features.getShape();
        if (shape.dimension() != 3) {
            throw new IllegalArgumentException(
                    lossName + " expects features of shape [batch, views, dim], got " + shape);
        }
        if (shape.get(0) < 1 || shape.get(1) < 1 || shape.get(2) < 1) {
            throw new IllegalArgumentException(
                    lossName + " expects non-empty features [batch, views, dim], got " + shape);
        }
        if (shape.get(0) * shape.get(1) < 2) {
            throw new IllegalArgumentException(
                    lossName
                            + " needs at least 2 anchors (batch * views) to contrast, got features "
                            + shape);
        }
        if (!features.getDataType().isFloating()) {
            throw new IllegalArgumentException(
                    lossName + " expects floating-point features, got " + features.getDataType());
        }
        return features;
    }

    /** Validates {@code labels} as one numeric array of shape [batch]. */
    static NDArray checkLabels(NDList labels, long batch, String lossName) {
        if (labels == null || labels.size() != 1) {
            throw new IllegalArgumentException(
                    lossName
                            + " expects labels = one array of class ids of shape [batch] = ["
                            + batch
                            + "], got "
                            + (labels == null ? "null" : labels.size() + " arrays"));
        }
        NDArray classIds = labels.head();
        Shape shape = classIds.getShape();
        if (shape.dimension() != 1 || shape.get(0) != batch) {
            throw new IllegalArgumentException(
                    lossName
                            + " expects labels of shape [batch] = ["
                            + batch
                            + "], got "
                            + shape);
        }
        DataType type = classIds.getDataType();
        if (!type.isFloating() && !type.isInteger()) {
            throw new IllegalArgumentException(
                    lossName + " expects numeric class ids as labels, got " + type);
        }
        return classIds;
    }

    /** Builder for {@link SupConLoss}; every setting is optional. */
    public static final class Builder {
        private String name = "SupConLoss";
        private double temperature = DEFAULT_TEMPERATURE;
        private double baseTemperature = DEFAULT_BASE_TEMPERATURE;
        private Variant variant = Variant.OUT;

        private Builder() {}

        /** Name under which DJL records the loss (default {@code SupConLoss}). */
        public Builder optName(String name) {
            this.name = name;
            return this;
        }

        /** Softmax temperature {@code t > 0} (default 0.1). */
        public Builder optTemperature(double temperature) {
            this.temperature = temperature;
            return this;
        }

        /** Base temperature {@code b > 0}; the loss is scaled by {@code t / b} (default 0.07). */
        public Builder optBaseTemperature(double baseTemperature) {
            this.baseTemperature = baseTemperature;
            return this;
        }

        /** {@link Variant#OUT} (default) or {@link Variant#IN}. */
        public Builder optVariant(Variant variant) {
            this.variant = variant;
            return this;
        }

        /** Validates the settings and builds the loss. */
        public SupConLoss build() {
            requirePositive("temperature", temperature);
            requirePositive("baseTemperature", baseTemperature);
            if (variant == null) {
                throw new IllegalArgumentException("SupConLoss variant must not be null");
            }
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("SupConLoss name must not be blank");
            }
            return new SupConLoss(this);
        }

        private static void requirePositive(String key, double value) {
            if (!(value > 0) || Double.isInfinite(value)) {
                throw new IllegalArgumentException(
                        key + " must be a finite number > 0, got " + value);
            }
        }
    }
}
