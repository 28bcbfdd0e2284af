package org.supcon.tools;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.supcon.testing.auth.TokenIssuer;

/**
 * The command line of the token issuer ({@link TokenIssuer}, which the tests use too); dev/token
 * wraps it with the local development key pair.
 *
 * <pre>
 *   token keys DIR
 *       writes DIR/privateKey.pem (PKCS#8, mode 600) and DIR/publicKey.pem (X.509 SubjectPublicKeyInfo);
 *       the services verify with the public key (mp.jwt.verify.publickey.location), whoever issues
 *       tokens keeps the private key.
 *   token issue --key DIR/privateKey.pem --roles trainer-admin[,inference-user]
 *       [--subject NAME] [--issuer supcon] [--ttl SECONDS]
 *       prints one token; --ttl defaults to 3600 (a negative ttl gives an expired token, for tests).
 * </pre>
 */
public final class Token {

    private Token() {
    }

    public static void main(String[] args) throws IOException {
        try {
            run(args);
        } catch (IllegalArgumentException | IOException e) {
            System.err.println("token: " + e.getMessage());
            System.exit(1);
        }
    }

    private static void run(String[] args) throws IOException {
        if (args.length == 0) {
            usage("a command is needed");
        }
        switch (args[0]) {
            case "keys" -> {
                if (args.length != 2) {
                    usage("keys takes one directory");
                }
                Path dir = Path.of(args[1]);
                TokenIssuer.writeKeys(dir);
                System.out.println("wrote " + dir.resolve(TokenIssuer.PRIVATE_KEY) + " and " + dir.resolve(TokenIssuer.PUBLIC_KEY));
            }
            case "issue" -> {
                Map<String, String> o = options(args);
                System.out.println(TokenIssuer.issue(Path.of(o.get("--key")), TokenIssuer.Claims.of(o.get("--issuer"),
                        o.get("--subject"), o.get("--roles"), Long.parseLong(o.get("--ttl")))));
            }
            default -> usage("unknown command '" + args[0] + "'");
        }
    }

    private static void usage(String problem) {
        System.err.println("token: " + problem);
        System.err.println("usage: token keys DIR");
        System.err.println("       token issue --key PRIVATE_KEY_PEM --roles ROLE[,ROLE] "
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
}
