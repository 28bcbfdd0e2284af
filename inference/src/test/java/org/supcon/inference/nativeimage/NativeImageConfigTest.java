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
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
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

    /** The linux-x64 libraries of the ONNX Runtime jar on the class path, by file name. */
    static Set<String> linuxLibraries(java.nio.file.Path jar) throws IOException {
        Set<String> libs = new TreeSet<>();
        try (java.util.jar.JarFile j = new java.util.jar.JarFile(jar.toFile())) {
            for (java.util.jar.JarEntry e : java.util.Collections.list(j.entries())) {
                if (e.getName().startsWith(NATIVE) && !e.isDirectory()) {
                    libs.add(e.getName().substring(NATIVE.length()));
                }
            }
        }
        return libs;
    }

    /**
     * The libraries ONNX Runtime's loader knows by name (its {@code OnnxRuntime.ONNXRUNTIME_*_NAME}
     * constants: the core, the JNI binding and every shared provider), as linux file names.
     */
    static Map<String, String> ortLibraryNames() throws Exception {
        Map<String, String> names = new TreeMap<>();
        for (java.lang.reflect.Field f : Class.forName("ai.onnxruntime.OnnxRuntime").getDeclaredFields()) {
            if (f.getName().startsWith("ONNXRUNTIME_") && f.getName().endsWith("_NAME") && f.getType() == String.class
                    && java.lang.reflect.Modifier.isStatic(f.getModifiers())) {
                f.setAccessible(true);
                names.put(f.getName(), System.mapLibraryName((String) f.get(null)));
            }
        }
        return names;
    }

    private static final java.nio.file.Path CUDA_RECIPE = java.nio.file.Path.of("src/main/docker/Dockerfile.native-cuda");

    /** The libraries Dockerfile.native-cuda copies out of the GPU jar ({@code for lib in ...; do}). */
    private static Set<String> recipeLibraries() throws java.io.IOException {
        java.util.regex.Matcher m = Pattern.compile("for lib in ([^;]+); do").matcher(java.nio.file.Files.readString(CUDA_RECIPE));
        assertTrue(m.find(), CUDA_RECIPE + " has no 'for lib in ...; do' line naming the libraries it copies");
        return Set.of(m.group(1).trim().split("\\s+"));
    }

    /**
     * The resource patterns against the ONNX Runtime jar this build selected ({@code onnxruntime},
     * or {@code onnxruntime_gpu} under {@code -Pcuda}): every linux-x64 library in it is embedded
     * or copied into the CUDA image by its recipe (the CUDA provider must not be embedded),
     * every pattern names a library ONNX Runtime's loader knows, and the jar is the variant
     * expected: the CPU jar has the core and JNI libraries only (no CUDA provider, which
     * SessionFactory reports), the GPU jar has the shared and CUDA provider libraries that
     * {@code addCUDA} extracts.
     */
    @Test
    void theResourcePatternsCoverTheNativeLibrariesOfTheSelectedJar() throws Exception {
        List<Pattern> patterns = new ArrayList<>();
        for (JsonNode include : json("resource-config.json").get("resources").get("includes")) {
            patterns.add(Pattern.compile(include.get("pattern").asText()));
        }
        java.nio.file.Path jar = java.nio.file.Path.of(
                ai.onnxruntime.OrtEnvironment.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        String artifact = System.getProperty("onnxruntime.artifact", "onnxruntime");
        assertEquals(artifact + "-" + ai.onnxruntime.OrtEnvironment.getEnvironment().getVersion() + ".jar",
                jar.getFileName().toString(), "the ONNX Runtime jar on the class path");
        Set<String> libs = linuxLibraries(jar);
        Map<String, String> known = ortLibraryNames();
        // the CUDA image copies these from the jar and points ONNX Runtime at them (onnxruntime.native.path)
        Set<String> copied = recipeLibraries();
        for (String lib : libs) {
            boolean embedded = patterns.stream().anyMatch(p -> p.matcher(NATIVE + lib).matches());
            boolean unused = lib.contains("tensorrt"); // the service asks for CUDA only
            assertTrue(embedded || copied.contains(lib) || unused, NATIVE + lib + " of " + jar.getFileName()
                    + " is neither in resource-config.json nor copied by " + CUDA_RECIPE);
        }
        assertTrue(known.containsKey("ONNXRUNTIME_LIBRARY_CUDA_NAME") && known.containsKey("ONNXRUNTIME_LIBRARY_SHARED_NAME"),
                "ONNX Runtime's loader constants were not found: " + known);
        for (Pattern p : patterns) {
            assertTrue(known.values().stream().anyMatch(lib -> p.matcher(NATIVE + lib).matches()),
                    p + " names no library ONNX Runtime loads " + known.values());
        }
        String core = known.get("ONNXRUNTIME_LIBRARY_NAME");
        String jni = known.get("ONNXRUNTIME_JNI_LIBRARY_NAME");
        String shared = known.get("ONNXRUNTIME_LIBRARY_SHARED_NAME");
        String cuda = known.get("ONNXRUNTIME_LIBRARY_CUDA_NAME");
        assertTrue(copied.containsAll(Set.of(core, jni, shared, cuda)), CUDA_RECIPE + " must copy " + List.of(core, jni,
                shared, cuda) + " into the image, copies " + copied);
        assertTrue(patterns.stream().noneMatch(p -> p.matcher(NATIVE + cuda).matches()),
                "the 583 MB CUDA provider must not be embedded in the executable (the CUDA image supplies it)");
        if (artifact.equals("onnxruntime_gpu")) {
            assertTrue(libs.containsAll(Set.of(core, jni, shared, cuda)),
                    jar.getFileName() + " lacks a library the CUDA provider needs: " + libs);
        } else {
            assertEquals("onnxruntime", artifact);
            assertEquals(Set.of(core, jni), libs, jar.getFileName() + "'s linux-x64 libraries");
        }
    }

    @Test
    void reflectiveTypesAndFieldsExist() throws Exception {
        for (JsonNode entry : json("reflect-config.json")) {
            Class<?> c = Class.forName(entry.get("name").asText());
            for (JsonNode f : entry.path("fields")) {
                // SessionFactory reads OnnxRuntime.tempDirectory to find the extracted CUDA provider library
                assertNotNull(c.getDeclaredField(f.get("name").asText()));
            }
        }
    }

    static final String LUCENE_DIR = "META-INF/native-image/org.supcon/supcon-inference-lucene/";
    /** Lucene's analysis SPI: CustomAnalyzer only, which the service never uses (it indexes vectors, not text). */
    static final Set<String> UNUSED_LUCENE_SERVICES = Set.of("org.apache.lucene.analysis.TokenizerFactory");

    static JsonNode luceneJson(String file) throws IOException {
        try (InputStream in = NativeImageConfigTest.class.getClassLoader().getResourceAsStream(LUCENE_DIR + file)) {
            assertNotNull(in, LUCENE_DIR + file);
            return new ObjectMapper().readTree(in);
        }
    }

    /**
     * Lucene loads codecs and formats by name through ServiceLoader: every service file of the
     * lucene-core jar is included as a resource and every provider it lists is registered with its
     * public no-argument constructor. A Lucene upgrade that adds or renames a codec fails here.
     */
    @Test
    void everyLuceneServiceProviderIsRegisteredAndItsServiceFileIncluded() throws Exception {
        Set<String> registered = new TreeSet<>();
        for (JsonNode entry : luceneJson("reflect-config.json")) {
            Class<?> c = Class.forName(entry.get("name").asText());
            assertTrue(java.lang.reflect.Modifier.isPublic(c.getConstructor().getModifiers()), c + "()");
            registered.add(c.getName());
        }
        List<Pattern> resources = new ArrayList<>();
        for (JsonNode include : luceneJson("resource-config.json").get("resources").get("includes")) {
            resources.add(Pattern.compile(include.get("pattern").asText()));
        }
        java.nio.file.Path jar = java.nio.file.Path.of(org.apache.lucene.codecs.Codec.class.getProtectionDomain()
                .getCodeSource().getLocation().toURI());
        Set<String> providers = new TreeSet<>();
        int services = 0;
        try (java.util.jar.JarFile lucene = new java.util.jar.JarFile(jar.toFile())) {
            for (java.util.jar.JarEntry e : java.util.Collections.list(lucene.entries())) {
                String name = e.getName();
                if (!name.startsWith("META-INF/services/org.apache.lucene.")
                        || UNUSED_LUCENE_SERVICES.contains(name.substring("META-INF/services/".length()))) {
                    continue;
                }
                services++;
                assertTrue(resources.stream().anyMatch(p -> p.matcher(name).matches()), name + " is not in resource-config.json");
                try (InputStream in = lucene.getInputStream(e)) {
                    new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).lines().map(String::trim)
                            .filter(l -> !l.isEmpty() && !l.startsWith("#")).forEach(providers::add);
                }
            }
        }
        assertTrue(services >= 4 && providers.contains("org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat"),
                "lucene-core's service files were not found in " + jar + ": " + providers);
        assertEquals(providers, registered, "the Lucene service providers against reflect-config.json");
    }
}
