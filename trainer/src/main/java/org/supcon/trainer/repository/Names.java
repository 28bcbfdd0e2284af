package org.supcon.trainer.repository;

import java.util.regex.Pattern;

/** The one rule for names that become path components: model names and extra file names. */
final class Names {

    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._-]{1,128}");

    private Names() {}

    /**
     * Letters, digits, {@code -}, {@code _} and {@code .}, 1 to 128 characters, not starting with
     * a dot: this excludes path separators, {@code .}, {@code ..}, hidden names and the
     * repository's own {@code .tmp-*} directories.
     */
    static String requireModelName(String name) {
        return require("model name", name);
    }

    static String requireFileName(String name) {
        return require("file name", name);
    }

    private static String require(String what, String name) {
        if (name == null) {
            throw new IllegalArgumentException(what + " is null");
        }
        if (!SAFE.matcher(name).matches() || name.startsWith(".")) {
            throw new IllegalArgumentException("invalid " + what + " '" + name + "': use 1 to 128 letters, digits,"
                    + " '-', '_' or '.', not starting with '.' (no path separators, no '..')");
        }
        return name;
    }
}
