package org.supcon.trainer.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/** {@code --name value} flags, checked against the flags a command knows. */
public final class Flags {

    private final String command;
    private final Map<String, String> values = new LinkedHashMap<>();

    private Flags(String command) {
        this.command = command;
    }

    /**
     * Parses {@code args}; {@code booleans} are flags without a value. Unknown flags, missing
     * values and positional arguments are usage errors that name the offender.
     */
    public static Flags parse(String command, List<String> args, Set<String> known, Set<String> booleans) {
        Flags f = new Flags(command);
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (!a.startsWith("--")) {
                throw new UsageException(command + ": unexpected argument '" + a + "'");
            }
            String name = a.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (!known.contains(name) && !booleans.contains(name)) {
                throw new UsageException(command + ": unknown option --" + name);
            }
            if (booleans.contains(name)) {
                f.values.put(name, value == null ? "true" : value);
                continue;
            }
            if (value == null) {
                if (i + 1 >= args.size() || args.get(i + 1).startsWith("--")) {
                    throw new UsageException(command + ": option --" + name + " needs a value");
                }
                value = args.get(++i);
            }
            f.values.put(name, value);
        }
        return f;
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    public String string(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    public int integer(String name, int fallback) {
        return get(name, fallback, Integer::parseInt, "a whole number");
    }

    public long longValue(String name, long fallback) {
        return get(name, fallback, Long::parseLong, "a whole number");
    }

    public double number(String name, double fallback) {
        return get(name, fallback, Double::parseDouble, "a number");
    }

    public boolean bool(String name) {
        String v = values.get(name);
        if (v == null) {
            return false;
        }
        if (!v.equals("true") && !v.equals("false")) {
            throw new UsageException(command + ": --" + name + " takes true or false, got '" + v + "'");
        }
        return Boolean.parseBoolean(v);
    }

    /** Applies {@code parse} to the flag's value, turning its failure into a usage error that names the flag. */
    public <T> T get(String name, T fallback, Function<String, T> parse, String what) {
        String v = values.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            return parse.apply(v);
        } catch (IllegalArgumentException e) {
            String detail = e instanceof NumberFormatException ? "" : " (" + e.getMessage() + ")";
            throw new UsageException(command + ": --" + name + " needs " + what + ", got '" + v + "'" + detail);
        }
    }
}
