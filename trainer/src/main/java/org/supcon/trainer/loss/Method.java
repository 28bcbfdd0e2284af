package org.supcon.trainer.loss;

import ai.djl.training.loss.Loss;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import org.supcon.trainer.model.CliNames;

/** The training objectives the trainer can run, with their command-line names. */
public enum Method {
    /** Supervised contrastive, {@code L_out} (the paper's loss): {@link SupConLoss}. */
    SUPCON("supcon", true),
    /** Supervised contrastive, {@code L_in}: {@link SupConLoss} with {@code Variant.IN}. */
    SUPCON_IN("supcon-in", true),
    /** Self-supervised NT-Xent: {@link SimClrLoss}, labels unused. */
    SIMCLR("simclr", true),
    /** Cross-entropy on class logits (the baseline): {@link CrossEntropyLoss}. */
    CE("ce", false);

    private final String cliName;
    private final boolean contrastive;

    Method(String cliName, boolean contrastive) {
        this.cliName = cliName;
        this.contrastive = contrastive;
    }

    /** The name used on the command line and in configuration, e.g. {@code supcon-in}. */
    @JsonValue
    public String cliName() {
        return cliName;
    }

    /**
     * Whether the method trains on L2-normalised projections {@code [batch, views, dim]} rather
     * than class logits.
     */
    public boolean isContrastive() {
        return contrastive;
    }

    /** Parses a command-line name (case-insensitive, surrounding blanks ignored). */
    @JsonCreator
    public static Method fromName(String name) {
        return CliNames.parse(values(), Method::cliName, "method", name);
    }

    /** The command-line names, comma-separated. */
    public static String validNames() {
        return CliNames.join(values(), Method::cliName);
    }

    @Override
    public String toString() {
        return cliName;
    }

    /**
     * Builds this method's loss. The temperatures apply to the contrastive methods (validated
     * there, both must be finite and {@code > 0}); {@link #CE} ignores them.
     */
    public Loss newLoss(double temperature, double baseTemperature) {
        return switch (this) {
            case SUPCON, SUPCON_IN -> SupConLoss.builder()
                    .optTemperature(temperature)
                    .optBaseTemperature(baseTemperature)
                    .optVariant(this == SUPCON ? SupConLoss.Variant.OUT : SupConLoss.Variant.IN)
                    .build();
            case SIMCLR -> SimClrLoss.builder()
                    .optTemperature(temperature)
                    .optBaseTemperature(baseTemperature)
                    .build();
            case CE -> new CrossEntropyLoss();
        };
    }
}
