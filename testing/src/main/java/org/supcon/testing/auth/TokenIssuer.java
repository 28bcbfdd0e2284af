package org.supcon.testing.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

/**
 * Issues the bearer tokens the supcon services accept: RS256-signed JWTs (MicroProfile JWT claims:
 * {@code iss}, {@code sub}, {@code upn}, {@code groups} = roles, {@code iat}, {@code exp}, {@code jti}).
 * One implementation for the tests ({@link Tokens}) and for users ({@code dev/token}, the tools
 * jar's {@code token} command), so the tests verify the tokens people really use. JDK only.
 */
public final class TokenIssuer {

    /** The private key's file name in a key directory (PKCS#8 PEM, mode 600). */
    public static final String PRIVATE_KEY = "privateKey.pem";
    /** The public key's file name in a key directory (X.509 SubjectPublicKeyInfo PEM). */
    public static final String PUBLIC_KEY = "publicKey.pem";

    private TokenIssuer() {
    }

    /** What a token says: its issuer, subject (also {@code upn}), roles ({@code groups}) and lifetime. */
    public record Claims(String issuer, String subject, List<String> roles, long ttlSeconds) {
        public Claims {
            roles = List.copyOf(roles);
        }

        /**
         * Roles from a comma-separated list (blank entries dropped, so {@code ","} is no role).
         * A negative {@code ttlSeconds} gives a token that has already expired (for tests).
         */
        public static Claims of(String issuer, String subject, String roles, long ttlSeconds) {
            List<String> list = new ArrayList<>();
            for (String r : roles.split(",")) {
                if (!r.isBlank()) {
                    list.add(r.strip());
                }
            }
            return new Claims(issuer, subject, list, ttlSeconds);
        }
    }

    /**
     * Writes a new RSA-2048 key pair as {@code dir/privateKey.pem} (mode 600 where the file system
     * has modes) and {@code dir/publicKey.pem}. The services verify with the public key
     * ({@code mp.jwt.verify.publickey.location}); whoever issues tokens keeps the private key.
     */
    public static void writeKeys(Path dir) throws IOException {
        KeyPair kp;
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            kp = g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK cannot make RSA keys", e);
        }
        Files.createDirectories(dir);
        Path priv = dir.resolve(PRIVATE_KEY);
        Files.writeString(priv, "");
        try {
            Files.setPosixFilePermissions(priv, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException ignored) {
            // not a POSIX file system: the file keeps the default mode
        }
        Files.writeString(priv, pem("PRIVATE KEY", kp.getPrivate().getEncoded()));
        Files.writeString(dir.resolve(PUBLIC_KEY), pem("PUBLIC KEY", kp.getPublic().getEncoded()));
    }

    /**
     * A token with {@code claims}, signed with the PKCS#8 PEM private key in {@code privateKey}.
     *
     * @throws IllegalArgumentException if the file cannot be read or holds no RSA private key
     */
    public static String issue(Path privateKey, Claims claims) {
        PrivateKey key = readPrivateKey(privateKey);
        long now = Instant.now().getEpochSecond();
        long ttl = claims.ttlSeconds();
        String header = "{\"alg\":\"RS256\",\"typ\":\"JWT\"}";
        String body = "{"
                + "\"iss\":" + json(claims.issuer())
                + ",\"sub\":" + json(claims.subject())
                + ",\"upn\":" + json(claims.subject())
                + ",\"groups\":[" + String.join(",", claims.roles().stream().map(TokenIssuer::json).toList()) + "]"
                + ",\"iat\":" + Math.min(now, now + ttl - 60)
                + ",\"exp\":" + (now + ttl)
                + ",\"jti\":" + json(UUID.randomUUID().toString())
                + "}";
        String signingInput = b64(header.getBytes(StandardCharsets.UTF_8)) + "." + b64(body.getBytes(StandardCharsets.UTF_8));
        try {
            Signature s = Signature.getInstance("SHA256withRSA");
            s.initSign(key);
            s.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + b64(s.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("signing with " + privateKey + " failed", e);
        }
    }

    private static PrivateKey readPrivateKey(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the private key " + file + ": " + e.getMessage(), e);
        }
        if (!text.contains("-----BEGIN PRIVATE KEY-----")) {
            throw new IllegalArgumentException(file + " is not a PKCS#8 PEM private key (BEGIN PRIVATE KEY)");
        }
        String body = text.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        try {
            return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(body)));
        } catch (InvalidKeySpecException | IllegalArgumentException e) {
            throw new IllegalArgumentException(file + " does not hold an RSA private key: " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK cannot read RSA keys", e);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static String b64(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String json(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }
}
