package org.supcon.inference.rest;

import java.util.OptionalLong;

/**
 * Query and path parameters are declared as text and parsed here, so that a value that does not
 * parse is a 400 naming the parameter and the value. Declared as {@code Integer} or {@code Long},
 * JAX-RS would turn a failed conversion of a query or path parameter into a 404 that names neither
 * (quarkus-rest's conversion error carries no parameter name for a mapper to report).
 */
final class Params {

    /** Where a parameter is read from, as the messages say it. */
    enum Kind {
        QUERY("query"), PATH("path");

        private final String text;

        Kind(String text) {
            this.text = text;
        }
    }

    private Params() {
    }

    /** {@code ?version=}: empty when absent (the latest version). */
    static OptionalLong version(String value) {
        Long v = longValue(Kind.QUERY, "version", value);
        return v == null ? OptionalLong.empty() : OptionalLong.of(v);
    }

    /** An integer, or null when absent. */
    static Integer integer(Kind kind, String name, String value) {
        if (value == null) {
            return null;
        }
        try {
            return Integer.valueOf(value.trim());
        } catch (NumberFormatException e) {
            throw invalid(kind, name, "an integer", value);
        }
    }

    /** A long integer, or null when absent. */
    static Long longValue(Kind kind, String name, String value) {
        if (value == null) {
            return null;
        }
        try {
            return Long.valueOf(value.trim());
        } catch (NumberFormatException e) {
            throw invalid(kind, name, "an integer", value);
        }
    }

    /** A finite number, or null when absent. */
    static Float number(Kind kind, String name, String value) {
        if (value == null) {
            return null;
        }
        float f;
        try {
            f = Float.parseFloat(value.trim());
        } catch (NumberFormatException e) {
            throw invalid(kind, name, "a number", value);
        }
        if (!Float.isFinite(f)) {
            throw invalid(kind, name, "a finite number", value);
        }
        return f;
    }

    /** {@code true} or {@code false} (any case), or null when absent. */
    static Boolean bool(Kind kind, String name, String value) {
        if (value == null) {
            return null;
        }
        String v = value.trim();
        if (v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false")) {
            return Boolean.valueOf(v);
        }
        throw invalid(kind, name, "true or false", value);
    }

    private static IllegalArgumentException invalid(Kind kind, String name, String expected, String value) {
        return new IllegalArgumentException(kind.text + " parameter \"" + name + "\" must be " + expected + ", got \""
                + value + "\"");
    }
}
