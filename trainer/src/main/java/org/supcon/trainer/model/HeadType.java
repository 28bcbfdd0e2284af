package org.supcon.trainer.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** The projection head designs of the paper; see {@link ProjectionHead}. */
public enum HeadType {

    /** {@code Linear(d, d) -> ReLU -> Linear(d, out)}, the paper's default. */
    MLP("mlp"),

    /** A single {@code Linear(d, out)}. */
    LINEAR("linear");

    private final String cliName;

    HeadType(String cliName) {
        this.cliName = cliName;
    }

    /**
     * Parses a command-line name.
     *
     * @param name {@code mlp} or {@code linear} (case-insensitive)
     * @return the head type
     * @throws IllegalArgumentException naming the valid names when {@code name} is none of them
     */
    @JsonCreator
    public static HeadType fromName(String name) {
        return CliNames.parse(values(), HeadType::cliName, "projection head", name);
    }

    /**
     * The command-line name.
     *
     * @return {@code mlp} or {@code linear}
     */
    @JsonValue
    public String cliName() {
        return cliName;
    }

    @Override
    public String toString() {
        return cliName;
    }
}
