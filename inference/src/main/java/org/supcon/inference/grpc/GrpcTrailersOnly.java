package org.supcon.inference.grpc;

import io.grpc.Status;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A gRPC status answered from the HTTP layer, before any gRPC service runs (refusals of the
 * security policy and the rate limiter): a Trailers-Only response (gRPC over HTTP/2 spec), one
 * HEADERS frame that ends the stream, which gRPC clients surface as the call's status.
 */
public final class GrpcTrailersOnly {

    private GrpcTrailersOnly() {
    }

    /** As Quarkus routes gRPC on the shared server: HTTP/2 and an {@code application/grpc[+...]} content type. */
    public static boolean isGrpc(HttpServerRequest request) {
        if (request.version() != HttpVersion.HTTP_2) {
            return false;
        }
        String type = request.getHeader(HttpHeaders.CONTENT_TYPE);
        return type != null && type.toLowerCase(Locale.ROOT).startsWith("application/grpc");
    }

    /** Ends {@code response} with {@code code} and {@code message}; headers put on it before stay. */
    public static void send(HttpServerResponse response, Status.Code code, String message) {
        response.setStatusCode(200)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/grpc")
                .putHeader("grpc-status", Integer.toString(code.value()))
                .putHeader("grpc-message", percentEncode(message))
                .end();
    }

    /** {@code grpc-message} is percent-encoded: every byte outside printable ASCII, and '%' itself. */
    static String percentEncode(String message) {
        StringBuilder out = new StringBuilder(message.length());
        for (byte b : message.getBytes(StandardCharsets.UTF_8)) {
            if (b >= 0x20 && b < 0x7f && b != '%') {
                out.append((char) b);
            } else {
                out.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return out.toString();
    }
}
