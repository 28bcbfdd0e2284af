package org.supcon.inference.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ClientKeyTest {

    private static final String JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl";

    @Test
    void aBearerTokenIsTheKeyWhateverTheAddressAndIsNotKeptInTheClear() {
        String key = ClientKey.of("Bearer " + JWT, "10.0.0.1");
        assertEquals(key, ClientKey.of("Bearer " + JWT, "10.0.0.2"), "one token, one budget, from anywhere");
        assertEquals(key, ClientKey.of("bearer  " + JWT + " ", "10.0.0.1"), "the scheme is case-insensitive");
        assertTrue(key.startsWith("token:"), key);
        assertFalse(key.contains(JWT) || key.contains("c2lnbmF0dXJl"), key);
        assertNotEquals(key, ClientKey.of("Bearer " + JWT + "x", "10.0.0.1"));
    }

    @Test
    void withoutABearerTokenTheAddressIsTheKey() {
        assertEquals("address:10.0.0.1", ClientKey.of(null, "10.0.0.1"));
        assertEquals("address:10.0.0.1", ClientKey.of("Basic dXNlcjpwdw==", "10.0.0.1"));
        assertEquals("address:10.0.0.1", ClientKey.of("Bearer ", "10.0.0.1"));
        assertEquals("address:10.0.0.1", ClientKey.of("Bearer    ", "10.0.0.1"));
        assertNotEquals(ClientKey.of(null, "10.0.0.1"), ClientKey.of(null, "10.0.0.2"));
    }

    @Test
    void theQuarkusPathsAreSpelledAsTheServerNeeds() {
        assertEquals("/q/", RateLimitFilter.exemptPrefix("/", "q"));
        assertEquals("/q/", RateLimitFilter.exemptPrefix("/", "/q"));
        assertEquals("/api/q/", RateLimitFilter.exemptPrefix("/api", "q"));
        assertEquals("/management/", RateLimitFilter.exemptPrefix("/api/", "/management/"));
    }
}
