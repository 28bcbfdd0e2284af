package org.supcon.inference.rest;

import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Answers a request whose declared {@code Content-Length} is over
 * {@code quarkus.http.limits.max-body-size} with 413 and the usual {@code {"error": ...}} before
 * anything reads it. Vert.x alone would answer 413 and close the connection at once, which a
 * client still sending its body sees as a broken pipe instead of the answer; here the body is read
 * and dropped (nothing is kept) up to four times the limit, so the client gets the 413, and only a
 * larger body gets the connection closed. Bodies without a length are left to Vert.x's own check.
 */
@ApplicationScoped
public class BodySizeLimit {

    private static final long DRAIN_FACTOR = 4;

    void install(@Observes Router router, @ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize limit) {
        long max = limit.asLongValue();
        router.route().order(Integer.MIN_VALUE).handler(rc -> {
            HttpServerRequest request = rc.request();
            long length = contentLength(request.getHeader("Content-Length"));
            if (length <= max) {
                rc.next();
                return;
            }
            String json = "{\"error\":\"the request body is " + length + " bytes, over the limit of " + max
                    + " bytes (quarkus.http.limits.max-body-size)\"}";
            if (length > DRAIN_FACTOR * max) {
                rc.response().setStatusCode(413).putHeader("Content-Type", "application/json")
                        .putHeader("Connection", "close").end(json);
                request.connection().close();
                return;
            }
            AtomicLong read = new AtomicLong();
            request.handler(buffer -> read.addAndGet(buffer.length()));
            request.endHandler(v -> rc.response().setStatusCode(413).putHeader("Content-Type", "application/json").end(json));
            request.resume();
        });
    }

    private static long contentLength(String header) {
        if (header == null) {
            return -1;
        }
        try {
            return Long.parseLong(header.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
