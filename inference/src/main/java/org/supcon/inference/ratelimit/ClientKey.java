package org.supcon.inference.ratelimit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;

/**
 * Whose budget a request spends: its bearer token when it has one, otherwise its remote address.
 * The token itself is never kept (nor logged): the key holds the first 128 bits of its SHA-256.
 * REST sends the token as {@code Authorization: Bearer ...}, gRPC as the {@code authorization}
 * metadata, which is the same HTTP/2 header.
 */
public final class ClientKey {

    private static final String BEARER = "bearer ";

    private ClientKey() {
    }

    /**
     * @param authorization the {@code Authorization} header, or null
     * @param remoteAddress the client's address (the forwarded one when the proxy headers are trusted)
     */
    public static String of(String authorization, String remoteAddress) {
        String token = bearerToken(authorization);
        if (token != null) {
            return "token:" + hash(token);
        }
        return "address:" + remoteAddress;
    }

    /** The token of an {@code Authorization: Bearer <token>} header (scheme case-insensitive), or null. */
    static String bearerToken(String authorization) {
        if (authorization == null || authorization.length() <= BEARER.length()
                || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return null;
        }
        String token = authorization.substring(BEARER.length()).trim();
        return token.isEmpty() ? null : token;
    }

    private static String hash(String token) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(digest, 16));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
