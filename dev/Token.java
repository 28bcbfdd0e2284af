import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Issues the bearer tokens the supcon services accept: RS256-signed JWTs (MicroProfile JWT claims:
 * {@code iss}, {@code sub}, {@code upn}, {@code groups} = roles, {@code iat}, {@code exp}, {@code jti}).
 * JDK only, run as a source file: {@code java dev/Token.java ...} (dev/token wraps it).
 *
 * <pre>
 *   java dev/Token.java keys DIR
 *       writes DIR/privateKey.pem (PKCS#8, mode 600) and DIR/publicKey.pem (X.509 SubjectPublicKeyInfo);
 *       the services verify with the public key (mp.jwt.verify.publickey.location), whoever issues
 *       tokens keeps the private key.
 *   java dev/Token.java issue --key DIR/privateKey.pem --roles trainer-admin[,inference-user]
 *       [--subject NAME] [--issuer supcon] [--ttl SECONDS]
 *       prints one token; --ttl defaults to 3600 (a negative ttl gives an expired token, for tests).
 * </pre>
 */
public final class Token {

    public static void main(String[] args) throws Exception {
        try {
            run(args);
        } catch (IllegalArgumentException | IOException e) {
            System.err.println("dev/Token.java: " + e.getMessage());
            System.exit(1);
        }
    }

    private static void run(String[] args) throws Exception {
        if (args.length == 0) {
            usage("a command is needed");
        }
        switch (args[0]) {
            case "keys" -> {
                if (args.length != 2) {
                    usage("keys takes one directory");
                }
                keys(Path.of(args[1]));
            }
            case "issue" -> System.out.println(issue(options(args)));
            default -> usage("unknown command '" + args[0] + "'");
        }
    }

    private static void usage(String problem) {
        System.err.println("dev/Token.java: " + problem);
        System.err.println("usage: java dev/Token.java keys DIR");
        System.err.println("       java dev/Token.java issue --key PRIVATE_KEY_PEM --roles ROLE[,ROLE] "
                + "[--subject NAME] [--issuer ISSUER] [--ttl SECONDS]");
        System.exit(2);
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> o = new LinkedHashMap<>();
        o.put("--subject", System.getProperty("user.name", "supcon-user"));
        o.put("--issuer", "supcon");
        o.put("--ttl", "3600");
        for (int i = 1; i < args.length; i += 2) {
            if (!List.of("--key", "--roles", "--subject", "--issuer", "--ttl").contains(args[i])) {
                usage("unknown option '" + args[i] + "'");
            }
            if (i + 1 >= args.length) {
                usage(args[i] + " needs a value");
            }
            o.put(args[i], args[i + 1]);
        }
        if (!o.containsKey("--key")) {
            usage("--key is required");
        }
        if (!o.containsKey("--roles")) {
            usage("--roles is required (trainer-admin, inference-user)");
        }
        try {
            Long.parseLong(o.get("--ttl"));
        } catch (NumberFormatException e) {
            usage("--ttl must be a whole number of seconds, was '" + o.get("--ttl") + "'");
        }
        return o;
    }

    static void keys(Path dir) throws Exception {
        Files.createDirectories(dir);
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        KeyPair kp = g.generateKeyPair();
        Path priv = dir.resolve("privateKey.pem");
        Files.writeString(priv, "");
        try {
            Files.setPosixFilePermissions(priv, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException ignored) {
            // not a POSIX file system: the file keeps the default mode
        }
        Files.writeString(priv, pem("PRIVATE KEY", kp.getPrivate().getEncoded()));
        Files.writeString(dir.resolve("publicKey.pem"), pem("PUBLIC KEY", kp.getPublic().getEncoded()));
        System.out.println("wrote " + priv + " and " + dir.resolve("publicKey.pem"));
    }

    static String issue(Map<String, String> o) throws Exception {
        PrivateKey key = readPrivateKey(Path.of(o.get("--key")));
        long now = Instant.now().getEpochSecond();
        long ttl = Long.parseLong(o.get("--ttl"));
        List<String> roles = new ArrayList<>();
        for (String r : o.get("--roles").split(",")) {
            if (!r.isBlank()) {
                roles.add(r.strip());
            }
        }
        String header = "{\"alg\":\"RS256\",\"typ\":\"JWT\"}";
        String claims = "{"
                + "\"iss\":" + json(o.get("--issuer"))
                + ",\"sub\":" + json(o.get("--subject"))
                + ",\"upn\":" + json(o.get("--subject"))
                + ",\"groups\":[" + String.join(",", roles.stream().map(Token::json).toList()) + "]"
                + ",\"iat\":" + Math.min(now, now + ttl - 60)
                + ",\"exp\":" + (now + ttl)
                + ",\"jti\":" + json(UUID.randomUUID().toString())
                + "}";
        String signingInput = b64(header.getBytes(StandardCharsets.UTF_8)) + "."
                + b64(claims.getBytes(StandardCharsets.UTF_8));
        Signature s = Signature.getInstance("SHA256withRSA");
        s.initSign(key);
        s.update(signingInput.getBytes(StandardCharsets.US_ASCII));
        return signingInput + "." + b64(s.sign());
    }

    private static PrivateKey readPrivateKey(Path file) throws Exception {
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
        } catch (java.security.spec.InvalidKeySpecException | IllegalArgumentException e) {
            throw new IllegalArgumentException(file + " does not hold an RSA private key: " + e.getMessage(), e);
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
