package org.supcon.inference.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class GrpcTrailersOnlyTest {

    @Test
    void grpcMessagesArePercentEncodedAsTheSpecAsks() {
        assertEquals("retry after 1 s; 100%25 %C3%A9", GrpcTrailersOnly.percentEncode("retry after 1 s; 100% é"));
    }
}
