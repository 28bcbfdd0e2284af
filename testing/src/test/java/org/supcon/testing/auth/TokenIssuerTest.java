package org.supcon.testing.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenIssuerTest {

    @TempDir
    Path dir;

    @Test
    void issuesAnRs256TokenThePublicKeyVerifies() throws Exception {
        TokenIssuer.writeKeys(dir);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(TokenIssuer.PRIVATE_KEY))));
        String token = TokenIssuer.issue(dir.resolve(TokenIssuer.PRIVATE_KEY),
                TokenIssuer.Claims.of("supcon", "ann \"a\"", " trainer-admin,,inference-user ", 3600));

        String[] parts = token.split("\\.");
        assertEquals(3, parts.length);
        Signature s = Signature.getInstance("SHA256withRSA");
        s.initVerify(publicKey(dir.resolve(TokenIssuer.PUBLIC_KEY)));
        s.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
        assertTrue(s.verify(Base64.getUrlDecoder().decode(parts[2])));

        assertEquals("{\"alg\":\"RS256\",\"typ\":\"JWT\"}", decode(parts[0]));
        String claims = decode(parts[1]);
        assertTrue(claims.contains("\"iss\":\"supcon\""), claims);
        assertTrue(claims.contains("\"sub\":\"ann \\\"a\\\"\",\"upn\":\"ann \\\"a\\\"\""), claims);
        assertTrue(claims.contains("\"groups\":[\"trainer-admin\",\"inference-user\"]"), claims);
        long now = Instant.now().getEpochSecond();
        long exp = number(claims, "exp");
        assertTrue(Math.abs(exp - now - 3600) < 60, claims);
        assertTrue(number(claims, "iat") <= now, claims);
    }

    @Test
    void aNegativeLifetimeGivesAnExpiredTokenAndNoRolesAnEmptyList() throws Exception {
        TokenIssuer.writeKeys(dir);
        String claims = decode(TokenIssuer.issue(dir.resolve(TokenIssuer.PRIVATE_KEY),
                TokenIssuer.Claims.of("supcon", "t", ",", -600)).split("\\.")[1]);
        assertTrue(claims.contains("\"groups\":[]"), claims);
        long now = Instant.now().getEpochSecond();
        assertTrue(number(claims, "exp") < now - 500, claims);
        assertTrue(number(claims, "iat") < number(claims, "exp"), claims);
    }

    @Test
    void aFileWithoutAPrivateKeyIsRefusedByName() throws Exception {
        Path notAKey = Files.writeString(dir.resolve("k.pem"), "hello");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TokenIssuer.issue(notAKey, TokenIssuer.Claims.of("supcon", "t", "r", 60)));
        assertTrue(e.getMessage().contains(notAKey + " is not a PKCS#8 PEM private key"), e.getMessage());
        assertEquals(List.of("a", "b"), TokenIssuer.Claims.of("i", "s", "a, b", 1).roles());
    }

    private static PublicKey publicKey(Path pem) throws Exception {
        String body = Files.readString(pem).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(body)));
    }

    private static String decode(String part) {
        return new String(Base64.getUrlDecoder().decode(part), StandardCharsets.UTF_8);
    }

    private static long number(String claims, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":(-?\\d+)").matcher(claims);
        assertTrue(m.find(), claims);
        return Long.parseLong(m.group(1));
    }
}
