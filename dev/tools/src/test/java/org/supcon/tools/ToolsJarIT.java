package org.supcon.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The packaged jar as the dev scripts run it ({@code java -jar dev/tools/target/supcon-tools.jar}):
 * compiling against the inference module (provided) hides classes the jar itself lacks, so this
 * looks at the jar and runs it in a process of its own.
 */
class ToolsJarIT {

    private static final Path JAR = Path.of("target", "supcon-tools.jar");

    @Test
    void theJarCarriesTheGeneratedMessagesAndStubsItsClientsUse() throws IOException {
        try (JarFile jar = new JarFile(JAR.toFile())) {
            for (String c : List.of("org/supcon/proto/v1/PredictRequest.class", "org/supcon/proto/v1/EmbeddingsGrpc.class",
                    "org/supcon/inference/oip/v2/ModelInferRequest.class",
                    "org/supcon/inference/oip/v2/GRPCInferenceServiceGrpc.class")) {
                assertNotNull(jar.getEntry(c), c + " is missing from " + JAR);
            }
        }
    }

    @Test
    void badArgumentsEndTheProcessWithALineNamingThem() throws Exception {
        Result r = run("serve-bench", "localhost", "port");
        assertEquals(2, r.status(), r.err());
        assertTrue(r.err().contains("not a number: \"port\""), r.err());
        Result baseline = run("ort-baseline", "no-such-model.onnx", "1");
        assertEquals(2, baseline.status(), baseline.err());
        assertTrue(baseline.err().contains("model file no-such-model.onnx does not exist"), baseline.err());
        Result none = run();
        assertEquals(2, none.status(), none.err());
        assertTrue(none.err().contains("demo-client"), none.err());
    }

    @Test
    void aClientThatCannotConnectEndsInsteadOfHanging() throws Exception {
        // nothing listens on port 1: the demo client fails, and the process must still end
        Result r = run("demo-client", "127.0.0.1", "1", "m", "1", "/usr/share/datasets/fashion-mnist", "1");
        assertEquals(1, r.status(), r.err());
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a read that never returns fails, not hangs
    void theBaselineProcessAnswersEachRunWithAMeasurementAndEndsWithItsInput() throws Exception {
        // serve-bench --pin talks to it over stdin/stdout: one "BATCH SECONDS" line in, one RESULT line out
        Path model = Path.of("..", "..", "inference", "src", "test", "resources", "models", "fashion-mnist-supcon", "1", "model.onnx");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toString(),
                "ort-baseline", model.toString(), "1").redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (var in = p.outputWriter(); var out = p.inputReader()) {
            // a malformed line is answered with an error naming it, and the process goes on
            in.write("4 x\n4 1\n");
            in.flush();
            String line;
            String result = null;
            String error = null;
            while (result == null && (line = out.readLine()) != null) {
                if (line.startsWith("RESULT ")) {
                    result = line;
                } else if (line.startsWith("ERROR ")) {
                    error = line;
                }
            }
            assertNotNull(error, "no ERROR line for '4 x'");
            assertTrue(error.contains("'4 x'") && error.contains("SECONDS"), error);
            assertNotNull(result, "no RESULT line");
            String[] f = result.split(" ");
            assertEquals(6, f.length, result);
            assertTrue(Double.parseDouble(f[1]) > 0, "throughput " + result);
            assertTrue(Double.parseDouble(f[2]) > 0 && Double.parseDouble(f[3]) >= Double.parseDouble(f[2]), "p50 <= p99: " + result);
            assertEquals(0, Long.parseLong(f[4]), "errors: " + result);
            assertTrue(Double.parseDouble(f[5]) > 0, "CPU per image " + result);
        }
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the baseline process did not end when its input closed");
        assertEquals(0, p.exitValue());
    }

    private record Result(int status, String err) {}

    private static Result run(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", JAR.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("supcon-tools " + String.join(" ", args) + " did not end within 60 s");
        }
        return new Result(p.exitValue(), err);
    }
}
