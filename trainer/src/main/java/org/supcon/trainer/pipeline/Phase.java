package org.supcon.trainer.pipeline;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** The phases of a training run, in order; {@code stage} in a run's status and its JSON. */
public enum Phase {
    /** The images are loaded (the dataset cache's snapshot, or files) and split. */
    SNAPSHOT("snapshot"),
    /** The first stage: SupCon, SimCLR or the cross-entropy baseline, checkpointed every epoch. */
    TRAINING("training"),
    /** The linear classifier on the frozen encoder (contrastive methods only). */
    LINEAR_PROBE("linear-probe"),
    /** The final evaluation on the held-out test images. */
    EVALUATION("evaluation"),
    /**
     * Every sample embedded with the trained encoder into the version's vector index, and the
     * data-quality analysis over it (suspected mislabels, near-duplicates); only with
     * {@code searchIndex}.
     */
    INDEX("index"),
    /**
     * The exported model on the test images under every image corruption at severities 1 to 5
     * ({@code robustness.json}); only with {@code robustness}.
     */
    ROBUSTNESS("robustness"),
    /** Summary, plots and the HTML report; the publication gate. */
    REPORT("report"),
    /** ONNX export, parity check against DJL and, when the gate passes, the new version. */
    EXPORT("export"),
    /** The {@code ModelPublished} event. */
    EVENT("event");

    private final String jsonName;

    Phase(String jsonName) {
        this.jsonName = jsonName;
    }

    @JsonValue
    public String jsonName() {
        return jsonName;
    }

    @JsonCreator
    public static Phase fromJson(String name) {
        for (Phase p : values()) {
            if (p.jsonName.equals(name)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown phase '" + name + "'");
    }

    @Override
    public String toString() {
        return jsonName;
    }
}
