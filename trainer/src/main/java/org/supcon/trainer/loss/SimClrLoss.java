package org.supcon.trainer.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.loss.Loss;

/**
 * Self-supervised contrastive loss (SimCLR's NT-Xent), the label-free case of {@link SupConLoss}:
 * each anchor's only positives are the other views of its own sample.
 *
 * <p>Inputs: {@code predictions} holds one array {@code features} of shape {@code [batch, views,
 * dim]}, L2-normalised; {@code labels} is ignored (may be empty). Output: a scalar. With {@code z}
 * the view-major stack of the views ({@code [N, dim]}, {@code N = views * batch}), {@code A(i)}
 * every row but {@code i} and {@code P(i)} the other views of the sample of {@code i}:
 *
 * <pre>
 *   l_i  = -(t / b) * 1/|P(i)| * sum_{p in P(i)}
 *            log( exp(z_i.z_p / t) / sum_{a in A(i)} exp(z_i.z_a / t) )
 *   loss = 1/N * sum_i l_i          (l_i = 0 when views = 1)
 * </pre>
 *
 * <p>With two views {@code P(i)} is the single other view, which is NT-Xent. Computed by {@link
 * SupConLoss} ({@code L_out}) with the sample index as class id.
 */
public final class SimClrLoss extends Loss {

    private final SupConLoss supCon;

    private SimClrLoss(String name, SupConLoss supCon) {
        super(name);
        this.supCon = supCon;
    }

    /** Returns a builder with temperature 0.1 and base temperature 0.07. */
    public static Builder builder() {
        return new Builder();
    }

    public double getTemperature() {
        return supCon.getTemperature();
    }

    public double getBaseTemperature() {
        return supCon.getBaseTemperature();
    }

    /**
     * Computes the loss.
     *
     * @param labels ignored; may be an empty {@link NDList}
     * @param predictions one array of features, shape {@code [batch, views, dim]}
     * @return a scalar: the mean over the {@code views * batch} anchors
     */
    @Override
    public NDArray evaluate(NDList labels, NDList predictions) {
        NDArray features = SupConLoss.checkFeatures(predictions, getName());
        int batch = Math.toIntExact(features.getShape().get(0));
        NDArray sampleIds =
                features.getManager().arange(0f, batch, 1f, DataType.INT32, features.getDevice());
        return supCon.perAnchorLoss(features, sampleIds).mean();
    }

    /** Builder for {@link SimClrLoss}; every setting is optional and validated as in SupCon. */
    public static final class Builder {
        // Holds and validates the settings, so defaults and checks live only in SupConLoss.
        private final SupConLoss.Builder settings = SupConLoss.builder().optName("SimClrLoss");

        private Builder() {}

        /** Name under which DJL records the loss (default {@code SimClrLoss}). */
        public Builder optName(String name) {
            settings.optName(name);
            return this;
        }

        /** Softmax temperature {@code t > 0} (default 0.1). */
        public Builder optTemperature(double temperature) {
            settings.optTemperature(temperature);
            return this;
        }

        /** Base temperature {@code b > 0}; the loss is scaled by {@code t / b} (default 0.07). */
        public Builder optBaseTemperature(double baseTemperature) {
            settings.optBaseTemperature(baseTemperature);
            return this;
        }

        /** Validates the settings and builds the loss. */
        public SimClrLoss build() {
            SupConLoss supCon = settings.optVariant(SupConLoss.Variant.OUT).build();
            return new SimClrLoss(supCon.getName(), supCon);
        }
    }
}
