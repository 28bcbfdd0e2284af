package org.supcon.testing.auth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Real bearer tokens for the tests, issued by the code users issue them with ({@link TokenIssuer},
 * behind {@code dev/token}): a key pair in {@code target/test-jwt} (made once per build; the
 * services' {@code %test} profile verifies with its public key) and a second, foreign key pair
 * whose tokens must be refused.
 */
public final class Tokens {

    /** The trusted key pair's directory, relative to the module (the tests' working directory). */
    public static final Path KEYS = Path.of("target", "test-jwt");
    private static final Path FOREIGN_KEYS = Path.of("target", "test-jwt-foreign");
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

    /** Every RestAssured request of the current test sends a token holding {@code roles}; null: none. */
    public static void restAssuredSends(String roles) {
        io.restassured.RestAssured.requestSpecification = roles == null ? null
                : new io.restassured.builder.RequestSpecBuilder().addHeader("Authorization", "Bearer " + withRoles(roles)).build();
    }

    /** Makes the trusted key pair if it is missing; returns the public key's absolute path. */
    public static synchronized Path publicKey() {
        ensureKeys(KEYS);
        return KEYS.resolve(TokenIssuer.PUBLIC_KEY).toAbsolutePath();
    }

    private static String issue(Path keys, String roles, long ttlSeconds) {
        ensureKeys(keys);
        return TokenIssuer.issue(keys.resolve(TokenIssuer.PRIVATE_KEY),
                TokenIssuer.Claims.of("supcon", "test-" + roles.replace(',', '+'), roles, ttlSeconds));
    }

    private static synchronized void ensureKeys(Path dir) {
        if (!Files.isRegularFile(dir.resolve(TokenIssuer.PUBLIC_KEY)) || !Files.isRegularFile(dir.resolve(TokenIssuer.PRIVATE_KEY))) {
            try {
                TokenIssuer.writeKeys(dir);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the test key pair in " + dir, e);
            }
        }
    }
}
