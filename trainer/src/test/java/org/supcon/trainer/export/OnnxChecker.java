package org.supcon.trainer.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Runs the official ONNX checker (Debian's python3-onnx) on a model. */
public final class OnnxChecker {

    public static final String PYTHON = "/usr/bin/python3";

    private static final String CHECK =
            "import onnx,sys; m=onnx.load(sys.argv[1]); onnx.checker.check_model(m,"
                    + " full_check=True); print(m.opset_import[0].version, m.ir_version)";

    private OnnxChecker() {}

    /**
     * Checks the model with {@code onnx.checker.check_model(m, full_check=True)}.
     *
     * @return what the checker script printed: "opset ir_version"
     */
    public static String check(byte[] model, Path dir) throws IOException, InterruptedException {
        Path file = dir.resolve("model.onnx");
        Files.write(file, model);
        return run(CHECK, file.toString());
    }

    /** Runs a python snippet with arguments and returns its trimmed stdout; fails on error. */
    public static String run(String script, String... args) throws IOException, InterruptedException {
        if (!Files.isExecutable(Path.of(PYTHON))) {
            fail(PYTHON + " is missing: apt-get install python3-onnx");
        }
        String[] command = new String[3 + args.length];
        command[0] = PYTHON;
        command[1] = "-c";
        command[2] = script;
        System.arraycopy(args, 0, command, 3, args.length);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("python3 onnx check timed out");
        }
        String text = new String(out, StandardCharsets.UTF_8).trim();
        if (text.contains("No module named 'onnx'")) {
            fail("python3 has no onnx module: apt-get install python3-onnx\n" + text);
        }
        assertEquals(0, p.exitValue(), "python3 onnx check failed:\n" + text);
        return text;
    }
}
