package org.supcon.trainer.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Real bearer tokens for the tests, issued by the tool users issue them with ({@code dev/Token.java},
 * run by the JDK's source launcher): a key pair in {@code target/test-jwt} (made once per build;
 * the services' {@code %test} profile verifies with its public key) and a second, foreign key pair
 * whose tokens must be refused.
 */
public final class Tokens {

    /** The trusted key pair's directory, relative to the module (the tests' working directory). */
    public static final Path KEYS = Path.of("target", "test-jwt");
    private static final Path FOREIGN_KEYS = Path.of("target", "test-jwt-foreign");
    private static final Path TOOL = locateTool();
    private static final Map<String, String> CACHE = new ConcurrentHashMap<>();

    private Tokens() {
    }

    /** A token holding {@code roles} (comma separated, may be empty), valid for an hour. */
    public static String withRoles(String roles) {
        return CACHE.computeIfAbsent("ok:" + roles, k -> issue(KEYS, roles, 3600));
    }

    /** A token for {@code roles} that expired ten minutes ago (beyond the verifier's 60 s skew). */
    public static String expired(String roles) {
        return CACHE.computeIfAbsent("expired:" + roles, k -> issue(KEYS, roles, -600));
    }

    /** A well-formed token for {@code roles} signed by a key the services do not trust. */
    public static String foreign(String roles) {
        return CACHE.computeIfAbsent("foreign:" + roles, k -> issue(FOREIGN_KEYS, roles, 3600));
    }

    /** Makes the trusted key pair if it is missing; returns the public key's absolute path. */
    public static synchronized Path publicKey() {
        ensureKeys(KEYS);
        return KEYS.resolve("publicKey.pem").toAbsolutePath();
    }

    private static String issue(Path keys, String roles, long ttlSeconds) {
        ensureKeys(keys);
        return run(List.of("issue", "--key", keys.resolve("privateKey.pem").toString(),
                "--roles", roles.isEmpty() ? "," : roles, "--subject", "test-" + roles.replace(',', '+'),
                "--ttl", Long.toString(ttlSeconds))).strip();
    }

    private static synchronized void ensureKeys(Path dir) {
        if (!Files.isRegularFile(dir.resolve("publicKey.pem")) || !Files.isRegularFile(dir.resolve("privateKey.pem"))) {
            run(List.of("keys", dir.toString()));
        }
    }

    private static String run(List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add(TOOL.toString());
        cmd.addAll(args);
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + cmd, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Path locateTool() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path tool = dir.resolve("dev").resolve("Token.java");
            if (Files.isRegularFile(tool)) {
                return tool;
            }
        }
        throw new IllegalStateException("dev/Token.java not found above " + Path.of("").toAbsolutePath());
    }
}
