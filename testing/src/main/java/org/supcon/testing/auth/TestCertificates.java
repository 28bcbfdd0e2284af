package org.supcon.testing.auth;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed server certificate for localhost / 127.0.0.1, made with the JDK's keytool, written
 * the way a Kubernetes TLS Secret holds it: {@code tls.crt} and {@code tls.key} (PEM). Clients trust
 * {@code tls.crt}.
 */
public final class TestCertificates {

    private TestCertificates() {
    }

    /** Makes {@code dir/tls.crt} and {@code dir/tls.key} unless they exist; returns {@code dir}. */
    public static synchronized Path serverCertificate(Path dir) {
        Path crt = dir.resolve("tls.crt");
        Path key = dir.resolve("tls.key");
        if (Files.isRegularFile(crt) && Files.isRegularFile(key)) {
            return dir;
        }
        try {
            Files.createDirectories(dir);
            Path p12 = dir.resolve("server.p12");
            Files.deleteIfExists(p12);
            char[] pass = "changeit".toCharArray();
            Process p = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                    "-genkeypair", "-alias", "server", "-keyalg", "RSA", "-keysize", "2048", "-validity", "3",
                    "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1",
                    "-keystore", p12.toString(), "-storetype", "PKCS12", "-storepass", new String(pass)))
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("keytool failed: " + out);
            }
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(p12)) {
                ks.load(in, pass);
            }
            Key k = ks.getKey("server", pass);
            Certificate c = ks.getCertificate("server");
            Files.writeString(key, pem("PRIVATE KEY", k.getEncoded()));
            Files.writeString(crt, pem("CERTIFICATE", c.getEncoded()));
            return dir;
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the test certificate in " + dir, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
