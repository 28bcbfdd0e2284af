package org.supcon.trainer.settings;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Builds {@link RunSettings} from its three sources, all through Jackson and the record's own
 * checks: the configuration's defaults ({@link #defaults}), a JSON object of overrides (a REST
 * body, {@link #bind}) and command-line options (the same overrides by name). Nothing here names
 * a single setting: the record's components are the list.
 */
public final class SettingsBinding {

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
    private static final RecordComponent[] COMPONENTS = RunSettings.class.getRecordComponents();
    /** The JSON names of the settings, in declaration order. */
    public static final List<String> FIELDS = Arrays.stream(COMPONENTS).map(RecordComponent::getName).toList();

    private SettingsBinding() {}

    /**
     * The defaults as a JSON object, read from {@code config} (the {@code trainer.runs} mapping)
     * by calling, for every setting, its method of the same name. An empty optional leaves the
     * setting unset, so the record derives it (the warm-up from the epochs).
     *
     * @throws IllegalStateException when the configuration lacks a setting (a programming error
     *     the tests catch)
     */
    public static ObjectNode defaults(Object config) {
        ObjectNode node = JSON.createObjectNode();
        for (RecordComponent c : COMPONENTS) {
            Object value;
            try {
                Method m = findMethod(config.getClass(), c.getName());
                m.setAccessible(true);
                value = unwrap(m.invoke(config));
            } catch (NoSuchMethodException e) {
                throw new IllegalStateException("the configuration has no default for the setting " + c.getName());
            } catch (IllegalAccessException | InvocationTargetException e) {
                throw new IllegalStateException("cannot read the default of " + c.getName() + ": " + e, e);
            }
            if (value != null) {
                node.set(c.getName(), JSON.valueToTree(value));
            }
        }
        return node;
    }

    private static Method findMethod(Class<?> type, String name) throws NoSuchMethodException {
        for (Class<?> i : type.getInterfaces()) {
            try {
                return i.getMethod(name);
            } catch (NoSuchMethodException e) {
                // try the next interface
            }
        }
        return type.getMethod(name);
    }

    private static Object unwrap(Object v) {
        if (v instanceof Optional<?> o) {
            return o.orElse(null);
        } else if (v instanceof OptionalDouble o) {
            return o.isPresent() ? o.getAsDouble() : null;
        } else if (v instanceof OptionalInt o) {
            return o.isPresent() ? o.getAsInt() : null;
        } else if (v instanceof OptionalLong o) {
            return o.isPresent() ? o.getAsLong() : null;
        }
        return v;
    }

    /** The settings with every field present; the record's derived values filled in. */
    public static RunSettings bind(ObjectNode defaults) {
        return bind(defaults, null);
    }

    /**
     * {@code defaults} overridden field by field by {@code overrides} (a JSON object; null means
     * none). Every refusal is an {@link InvalidSettingsException} naming the field: an unknown
     * name, a value of the wrong JSON type, or a value out of range.
     */
    public static RunSettings bind(ObjectNode defaults, JsonNode overrides) {
        ObjectNode merged = defaults.deepCopy();
        if (overrides != null && !overrides.isNull() && !overrides.isMissingNode()) {
            if (!overrides.isObject()) {
                throw new InvalidSettingsException(null, "the body must be a JSON object of run settings " + FIELDS);
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = overrides.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                RecordComponent c = component(e.getKey());
                if (c == null) {
                    throw new InvalidSettingsException(e.getKey(), "unknown field; the settings are " + FIELDS);
                }
                checkType(c, e.getValue());
                merged.set(e.getKey(), e.getValue());
            }
        }
        try {
            return JSON.treeToValue(merged, RunSettings.class);
        } catch (ValueInstantiationException e) {
            if (e.getCause() instanceof InvalidSettingsException ise) {
                throw ise;
            }
            throw new InvalidSettingsException(null, e.getOriginalMessage());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            String field = e instanceof com.fasterxml.jackson.databind.JsonMappingException jm && !jm.getPath().isEmpty()
                    ? jm.getPath().get(0).getFieldName() : null;
            throw new InvalidSettingsException(field, e.getOriginalMessage());
        }
    }

    /**
     * Settings from textual overrides (command-line option values) by JSON name: each is parsed
     * as its setting's type, so {@code "3"} is an integer for {@code epochs}.
     */
    public static RunSettings bindText(ObjectNode defaults, Map<String, String> overrides) {
        ObjectNode node = JSON.createObjectNode();
        for (Map.Entry<String, String> e : overrides.entrySet()) {
            RecordComponent c = component(e.getKey());
            if (c == null) {
                throw new InvalidSettingsException(e.getKey(), "unknown setting; the settings are " + FIELDS);
            }
            node.set(e.getKey(), parseText(c, e.getValue()));
        }
        return bind(defaults, node);
    }

    private static JsonNode parseText(RecordComponent c, String text) {
        Class<?> t = c.getType();
        try {
            if (t == int.class || t == Integer.class) {
                return JSON.getNodeFactory().numberNode(Integer.parseInt(text.strip()));
            } else if (t == long.class || t == Long.class) {
                return JSON.getNodeFactory().numberNode(Long.parseLong(text.strip()));
            } else if (t == double.class || t == Double.class) {
                return JSON.getNodeFactory().numberNode(Double.parseDouble(text.strip()));
            } else if (t == boolean.class) {
                String b = text.strip().toLowerCase(Locale.ROOT);
                if (!b.equals("true") && !b.equals("false")) {
                    throw new NumberFormatException(text);
                }
                return JSON.getNodeFactory().booleanNode(Boolean.parseBoolean(b));
            }
        } catch (NumberFormatException e) {
            throw new InvalidSettingsException(c.getName(), "must be " + kind(t) + ", got \"" + text + "\"");
        }
        return JSON.getNodeFactory().textNode(text);
    }

    private static RecordComponent component(String name) {
        for (RecordComponent c : COMPONENTS) {
            if (c.getName().equals(name)) {
                return c;
            }
        }
        return null;
    }

    /** The JSON type a setting takes; enums are checked by name so the message lists the valid ones. */
    private static void checkType(RecordComponent c, JsonNode v) {
        Class<?> t = c.getType();
        boolean integral = t == int.class || t == Integer.class || t == long.class || t == Long.class;
        boolean ok;
        if (integral) {
            ok = v.isIntegralNumber() && v.canConvertToLong()
                    && (t == long.class || t == Long.class || v.canConvertToInt());
        } else if (t == double.class || t == Double.class) {
            ok = v.isNumber() || (t == Double.class && v.isNull());
        } else if (t == boolean.class) {
            ok = v.isBoolean();
        } else {
            ok = v.isTextual();
        }
        if (!ok) {
            throw new InvalidSettingsException(c.getName(), "must be " + kind(t) + ", got " + v);
        }
        if (t.isEnum()) {
            try {
                JSON.treeToValue(v, t);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new InvalidSettingsException(c.getName(), "must be one of " + names(t) + "; got " + v);
            }
        }
    }

    private static String kind(Class<?> t) {
        if (t == int.class || t == Integer.class || t == long.class || t == Long.class) {
            return "an integer";
        } else if (t == double.class || t == Double.class) {
            return "a number";
        } else if (t == boolean.class) {
            return "true or false";
        }
        return "a string";
    }

    /** The valid names of an enum setting, as the JSON and the command line spell them. */
    public static String names(Class<?> enumType) {
        return String.join(", ", Arrays.stream(enumType.getEnumConstants()).map(Object::toString).toList());
    }

    /** By JSON name, in declaration order. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> toMap(RunSettings s) {
        return JSON.convertValue(s, LinkedHashMap.class);
    }

    /** The command-line option of a setting: {@code batchSize} -> {@code --batch-size}. */
    public static String option(String field) {
        return "--" + field.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }

    /** The {@link Doc} line of every setting, by JSON name. */
    public static Map<String, String> docs() {
        Map<String, String> m = new LinkedHashMap<>();
        for (RecordComponent c : COMPONENTS) {
            Doc d = c.getAnnotation(Doc.class);
            m.put(c.getName(), d == null ? "" : d.value());
        }
        return m;
    }

    /** The Java type of a setting. */
    public static Class<?> type(String field) {
        RecordComponent c = component(field);
        if (c == null) {
            throw new IllegalArgumentException("no setting " + field);
        }
        return c.getType();
    }
}
