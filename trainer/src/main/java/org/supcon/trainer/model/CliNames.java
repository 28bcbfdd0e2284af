package org.supcon.trainer.model;

import java.util.Arrays;
import java.util.Locale;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Parses the names of the setting enums (method, encoder, head), one error format for all of them. */
public final class CliNames {

    private CliNames() {}

    /**
     * Finds the constant whose name matches {@code name}, ignoring case and surrounding spaces.
     *
     * @throws IllegalArgumentException naming {@code what} and listing the valid names
     */
    public static <E extends Enum<E>> E parse(
            E[] values, Function<E, String> cliName, String what, String name) {
        String wanted = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        for (E value : values) {
            if (cliName.apply(value).equals(wanted)) {
                return value;
            }
        }
        throw new IllegalArgumentException(
                "unknown " + what + " '" + name + "', expected one of: " + join(values, cliName));
    }

    public static <E extends Enum<E>> String join(E[] values, Function<E, String> cliName) {
        return Arrays.stream(values).map(cliName).collect(Collectors.joining(", "));
    }
}
