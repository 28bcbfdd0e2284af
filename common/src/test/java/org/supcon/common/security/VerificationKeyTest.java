package org.supcon.common.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VerificationKeyTest {

    @Test
    void namesTheMissingSettingOrTheUnreadableFile(@TempDir Path dir) throws Exception {
        assertTrue(VerificationKey.problem(Optional.empty(), Optional.empty()).orElseThrow()
                .contains("mp.jwt.verify.publickey.location"));
        assertTrue(VerificationKey.problem(Optional.of(" "), Optional.empty()).isPresent());
        Path missing = dir.resolve("nope.pem");
        assertTrue(VerificationKey.problem(Optional.of(missing.toString()), Optional.empty()).orElseThrow()
                .contains(missing.toString()));
        assertTrue(VerificationKey.problem(Optional.of("file:" + missing), Optional.empty()).isPresent());

        Path key = Files.writeString(dir.resolve("publicKey.pem"), "-----BEGIN PUBLIC KEY-----\n");
        assertEquals(Optional.empty(), VerificationKey.problem(Optional.of(key.toString()), Optional.empty()));
        assertEquals(Optional.empty(), VerificationKey.problem(Optional.of("file:" + key), Optional.empty()));
        assertEquals(Optional.empty(), VerificationKey.problem(Optional.of("https://issuer/jwks"), Optional.empty()));
        assertEquals(Optional.empty(), VerificationKey.problem(Optional.empty(), Optional.of("MIIB...")));
    }

    @Test
    void aReadablePemKeyFileIsAccepted(@TempDir Path dir) throws Exception {
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        String pem = "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(rsa.generateKeyPair().getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
        Path key = Files.writeString(dir.resolve("publicKey.pem"), pem);
        assertEquals(Optional.empty(), VerificationKey.problem(Optional.of(" file:" + key + " "), Optional.empty()));
        assertEquals(Optional.empty(), VerificationKey.problem(Optional.of("classpath:publicKey.pem"), Optional.of(" ")));
    }
}
