package org.supcon.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Binds a YAML document to its model class strictly. The model classes accept unknown fields
 * into {@code additionalProperties} (so a typo such as {@code readinesProbe} would pass a plain
 * parse); here any such field anywhere in the object is an error that names its path.
 */
final class Models {

    private static final ObjectMapper JSON = Serialization.jsonMapper();

    private Models() {
    }

    static <T extends HasMetadata> T bind(ObjectNode tree, Class<T> type) {
        String name = tree.path("kind").asText() + "/" + tree.path("metadata").path("name").asText();
        T typed;
        try {
            typed = JSON.treeToValue(tree, type);
        } catch (Exception e) {
            throw new AssertionError(name + " does not parse as " + type.getName() + ": " + e.getMessage(), e);
        }
        List<String> unknown = new ArrayList<>();
        walk(typed, "", unknown, new IdentityHashMap<>());
        if (!unknown.isEmpty()) {
            throw new AssertionError(name + " has fields that " + type.getSimpleName() + " does not know: " + unknown);
        }
        JsonNode back = JSON.valueToTree(typed);
        if (tree.path("apiVersion").asText().equals("kafka.strimzi.io/v1") && back.isObject()) {
            // Strimzi's Java 17 model (0.51) is the v1beta2 schema and writes that apiVersion back;
            // v1 is v1beta2 without deprecated fields, so binding still checks every field we use.
            ((ObjectNode) back).put("apiVersion", "kafka.strimzi.io/v1");
        }
        String diff = firstDifference(tree, back, "");
        if (diff != null) {
            throw new AssertionError(name + " does not survive binding to " + type.getSimpleName() + ": " + diff);
        }
        return typed;
    }

    private static void walk(Object o, String path, List<String> unknown, Map<Object, Boolean> seen) {
        if (o == null || o instanceof String || o instanceof Number || o instanceof Boolean || o instanceof Enum<?>
                || seen.put(o, Boolean.TRUE) != null) {
            return;
        }
        if (o instanceof Collection<?> c) {
            int i = 0;
            for (Object e : c) {
                walk(e, path + "[" + i++ + "]", unknown, seen);
            }
            return;
        }
        if (o instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                walk(e.getValue(), path + "." + e.getKey(), unknown, seen);
            }
            return;
        }
        if (!o.getClass().getName().startsWith("io.fabric8") && !o.getClass().getName().startsWith("io.strimzi")) {
            return;
        }
        for (Method m : o.getClass().getMethods()) {
            if (m.getParameterCount() != 0 || Modifier.isStatic(m.getModifiers()) || !m.getName().startsWith("get")
                    || m.getDeclaringClass() == Object.class) {
                continue;
            }
            Object value;
            try {
                value = m.invoke(o);
            } catch (ReflectiveOperationException | RuntimeException e) {
                continue;
            }
            if (m.getName().equals("getAdditionalProperties")) {
                if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    for (Object k : extra.keySet()) {
                        unknown.add((path.isEmpty() ? "" : path + ".") + k);
                    }
                }
                continue;
            }
            String field = Character.toLowerCase(m.getName().charAt(3)) + m.getName().substring(4);
            walk(value, path.isEmpty() ? field : path + "." + field, unknown, seen);
        }
    }

    /** The first place where {@code expected} (the YAML) has a value that {@code actual} lost or changed. */
    static String firstDifference(JsonNode expected, JsonNode actual, String path) {
        if (expected.isObject()) {
            if (!actual.isObject()) {
                return path + ": expected an object, bound " + actual;
            }
            var it = expected.fields();
            while (it.hasNext()) {
                var e = it.next();
                JsonNode a = actual.get(e.getKey());
                String p = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
                if (a == null || a.isNull()) {
                    // Strimzi's model leaves out booleans at their default false (deleteClaim: false).
                    if (e.getValue().isNull() || (e.getValue().isContainerNode() && e.getValue().isEmpty())
                            || (e.getValue().isBoolean() && !e.getValue().booleanValue())) {
                        continue;
                    }
                    return p + ": dropped";
                }
                String d = firstDifference(e.getValue(), a, p);
                if (d != null) {
                    return d;
                }
            }
            return null;
        }
        if (expected.isArray()) {
            if (!actual.isArray() || actual.size() != expected.size()) {
                return path + ": expected " + expected + ", bound " + actual;
            }
            for (int i = 0; i < expected.size(); i++) {
                String d = firstDifference(expected.get(i), actual.get(i), path + "[" + i + "]");
                if (d != null) {
                    return d;
                }
            }
            return null;
        }
        // Scalars: compare as text, since YAML 8080 and IntOrString "8080" are the same value.
        return expected.asText().equals(actual.asText()) ? null : path + ": expected " + expected + ", bound " + actual;
    }
}
