package org.supcon.inference.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.concurrent.CompletionException;

import org.junit.jupiter.api.Test;
import org.supcon.inference.image.ImageException;
import org.supcon.inference.image.RequestTooLargeException;
import org.supcon.inference.model.ModelUnavailableException;
import org.supcon.inference.model.OverloadedException;
import org.supcon.inference.oip.OipException;

/** The core's failures reach OIP clients as the right refusal (the queue-full case cannot be provoked without timing). */
class OipServiceTest {

    private static OipException.Kind kind(Throwable e) {
        return ((OipException) OipService.unwrap(new CompletionException(e))).kind();
    }

    @Test
    void coreFailuresMapToProtocolRefusals() {
        assertEquals(OipException.Kind.OVERLOADED, kind(new OverloadedException("v1 is overloaded")));
        assertEquals("RESOURCE_EXHAUSTED", kind(new OverloadedException("x")).grpcCode);
        assertEquals(429, kind(new OverloadedException("x")).httpStatus);
        assertEquals(OipException.Kind.UNAVAILABLE, kind(new ModelUnavailableException("retired")));
        assertEquals(OipException.Kind.NOT_FOUND, kind(new VersionNotFoundException("version 9")));
        assertEquals(OipException.Kind.TOO_LARGE, kind(new RequestTooLargeException("65 images")));
        assertEquals(OipException.Kind.TOO_LARGE, kind(new ImageException(ImageException.Kind.TOO_LARGE, "9000x9000")));
        assertEquals(OipException.Kind.INVALID_ARGUMENT, kind(new ImageException(ImageException.Kind.UNDECODABLE, "junk")));
        assertEquals(OipException.Kind.INVALID_ARGUMENT, kind(new IllegalArgumentException("wrong length")));
    }

    @Test
    void otherFailuresStayInternalAndMessagesSurvive() {
        IllegalStateException bug = new IllegalStateException("bug");
        assertSame(bug, OipService.unwrap(new CompletionException(bug)));
        assertEquals("v1 is overloaded; retry later", OipService.unwrap(new OverloadedException("v1 is overloaded")).getMessage());
    }
}
