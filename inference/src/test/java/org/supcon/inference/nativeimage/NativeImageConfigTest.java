package org.supcon.inference.nativeimage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Constructor;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The native-image configuration for ONNX Runtime (META-INF/native-image/org.supcon/supcon-inference)
 * against the ONNX Runtime on the class path: every class the JNI library looks up and every
 * constructor signature it calls is registered, every registered constructor exists, and the
 * native libraries the resource pattern names are there. An ONNX Runtime upgrade that changes
 * them fails here, not in a native binary at run time.
 */
class NativeImageConfigTest {

    static final String DIR = "META-INF/native-image/org.supcon/supcon-inference/";
    static final String NATIVE = "ai/onnxruntime/native/linux-x64/";

    static JsonNode json(String file) throws IOException {
        try (InputStream in = NativeImageConfigTest.class.getClassLoader().getResourceAsStream(DIR + file)) {
            assertNotNull(in, DIR + file);
            return new ObjectMapper().readTree(in);
        }
    }

    /** Printable ASCII runs of the JNI library, as `strings` shows them. */
    static List<String> jniLibraryStrings() throws IOException {
        byte[] lib;
        try (InputStream in = NativeImageConfigTest.class.getClassLoader().getResourceAsStream(NATIVE + "libonnxruntime4j_jni.so")) {
            assertNotNull(in, "the ONNX Runtime jar has no " + NATIVE + "libonnxruntime4j_jni.so");
            lib = in.readAllBytes();
        }
        List<String> strings = new ArrayList<>();
        StringBuilder run = new StringBuilder();
        for (byte b : lib) {
            if (b >= 0x20 && b < 0x7f) {
                run.append((char) b);
            } else {
                if (run.length() >= 3) {
                    strings.add(run.toString());
                }
                run.setLength(0);
            }
        }
        return strings;
    }

    static Class<?> type(String name) throws ClassNotFoundException {
        return switch (name) {
            case "int" -> int.class;
            case "long" -> long.class;
            case "long[]" -> long[].class;
            case "java.lang.String[]" -> String[].class;
            default -> Class.forName(name);
        };
    }

    static String descriptor(Class<?> c) {
        if (c == int.class) {
            return "I";
        }
        if (c == long.class) {
            return "J";
        }
        if (c.isArray()) {
            return "[" + descriptor(c.getComponentType());
        }
        return "L" + c.getName().replace('.', '/') + ";";
    }

    @Test
    void everyJniLookupOfTheLibraryIsRegisteredAndExists() throws Exception {
        Set<String> registeredClasses = new TreeSet<>();
        Set<String> registeredConstructors = new TreeSet<>();
        for (JsonNode entry : json("jni-config.json")) {
            String name = entry.get("name").asText();
            Class<?> c = Class.forName(name);
            registeredClasses.add(name.replace('.', '/'));
            for (JsonNode m : entry.path("methods")) {
                assertEquals("<init>", m.get("name").asText(), "only constructors are called from JNI: " + entry);
                List<Class<?>> params = new ArrayList<>();
                for (JsonNode p : m.get("parameterTypes")) {
                    params.add(type(p.asText()));
                }
                Constructor<?> k = c.getDeclaredConstructor(params.toArray(Class<?>[]::new));
                StringBuilder d = new StringBuilder("(");
                for (Class<?> p : k.getParameterTypes()) {
                    d.append(descriptor(p));
                }
                registeredConstructors.add(d.append(")V").toString());
            }
        }
        List<String> strings = jniLibraryStrings();
        Pattern className = Pattern.compile("(ai/onnxruntime|java/lang)/[A-Za-z$/]+");
        Pattern constructor = Pattern.compile("\\(([IJZ]|\\[?L[A-Za-z/$]+;|\\[[IJ])*\\)V");
        Set<String> looked = new TreeSet<>();
        Set<String> called = new TreeSet<>();
        for (String s : strings) {
            if (className.matcher(s).matches()) {
                looked.add(s);
            } else if (constructor.matcher(s).matches()) {
                called.add(s);
            }
        }
        assertTrue(looked.contains("ai/onnxruntime/OnnxTensor") && called.contains("(JJLai/onnxruntime/TensorInfo;)V"),
                "the library's strings were not found: " + looked + " " + called);
        Set<String> missingClasses = new TreeSet<>(looked);
        missingClasses.removeAll(registeredClasses);
        assertEquals(Set.of(), missingClasses, "classes the JNI library looks up but jni-config.json lacks");
        Set<String> missingConstructors = new TreeSet<>(called);
        missingConstructors.removeAll(registeredConstructors);
        assertEquals(Set.of(), missingConstructors, "constructors the JNI library calls but jni-config.json lacks");
    }

    @Test
    void theResourcePatternCoversTheNativeLibraries() throws Exception {
        String pattern = json("resource-config.json").get("resources").get("includes").get(0).get("pattern").asText();
        Pattern p = Pattern.compile(pattern);
        for (String lib : List.of("libonnxruntime.so", "libonnxruntime4j_jni.so")) {
            assertNotNull(getClass().getClassLoader().getResource(NATIVE + lib), NATIVE + lib + " in the ONNX Runtime jar");
            assertTrue(p.matcher(NATIVE + lib).matches(), pattern + " does not include " + NATIVE + lib);
        }
    }

    @Test
    void reflectiveArrayTypesExist() throws Exception {
        for (JsonNode entry : json("reflect-config.json")) {
            assertNotNull(Class.forName(entry.get("name").asText()));
        }
    }
}
