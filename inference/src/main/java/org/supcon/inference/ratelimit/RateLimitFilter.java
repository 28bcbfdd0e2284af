package org.supcon.inference.ratelimit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.http.HttpHeaders;
import io.grpc.Status;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.math.BigDecimal;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.supcon.inference.config.InferenceConfig;
import org.supcon.inference.grpc.GrpcTrailersOnly;

/**
 * Per-client rate limiting ({@code inference.rate-limit.*}) in front of every API on the HTTP
 * server: REST ({@code /v1/*}, {@code /v2/*}) and gRPC, which shares the port, pass through this
 * one route, before authentication and before any body is decoded. Each request (a batch, a
 * unary call or a whole gRPC stream) takes one token from its client's bucket
 * ({@link ClientKey}, {@link TokenBuckets}); without one it is answered at once:
 * <ul>
 * <li>REST: 429, {@code Retry-After: S}, {@code {"error": "rate limit of N requests/s exceeded for
 * this client; retry after S s"}}; a body in flight is read and dropped first (up to the body size
 * limit, beyond it the connection is closed), so that an HTTP/1.1 client sees the answer, not a
 * broken pipe;</li>
 * <li>gRPC: a Trailers-Only response, {@code grpc-status} 8 (RESOURCE_EXHAUSTED), the same message,
 * and {@code retry-after: S} in the trailers.</li>
 * </ul>
 * The Quarkus endpoints ({@code /q/*}: health, metrics, OpenAPI) are never limited. Refusals are
 * counted in {@code supcon_rate_limited_total{protocol}}, clients with a bucket in
 * {@code supcon_rate_limit_clients}. When off, nothing is installed.
 */
@ApplicationScoped
public class RateLimitFilter {

    /** After BodySizeLimit (Integer.MIN_VALUE), before authentication and every API route, REST and gRPC. */
    static final int ORDER = Integer.MIN_VALUE + 1;

    private static final Logger LOG = Logger.getLogger(RateLimitFilter.class);

    private MeterRegistry registry;
    private Gauge clientsGauge;

    void install(@Observes Router router, InferenceConfig config, MeterRegistry registry,
            @ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize maxBodySize,
            @ConfigProperty(name = "quarkus.http.root-path", defaultValue = "/") String rootPath,
            @ConfigProperty(name = "quarkus.http.non-application-root-path", defaultValue = "q") String nonApplicationRootPath) {
        InferenceConfig.RateLimit limit = config.rateLimit();
        if (!limit.enabled()) {
            LOG.info("rate limiting is off (inference.rate-limit.enabled=false)");
            return;
        }
        TokenBuckets buckets = new TokenBuckets(limit.requestsPerSecond(), limit.burst(), limit.maxClients(), System::nanoTime);
        String rate = BigDecimal.valueOf(limit.requestsPerSecond()).stripTrailingZeros().toPlainString();
        String exempt = exemptPrefix(rootPath, nonApplicationRootPath);
        long maxBody = maxBodySize.asLongValue();
        Counter restRefused = Counter.builder("supcon.rate.limited").description("requests refused by the per-client rate limit")
                .tag("protocol", "rest").register(registry);
        Counter grpcRefused = Counter.builder("supcon.rate.limited").description("requests refused by the per-client rate limit")
                .tag("protocol", "grpc").register(registry);
        this.registry = registry;
        this.clientsGauge = Gauge.builder("supcon.rate.limit.clients", buckets, TokenBuckets::clients)
                .description("clients holding their own rate-limit bucket").strongReference(true).register(registry);
        router.route().order(ORDER).handler(rc -> {
            if (rc.normalizedPath().startsWith(exempt)) {
                rc.next();
                return;
            }
            HttpServerRequest request = rc.request();
            long wait = buckets.tryAcquire(ClientKey.of(request.getHeader(HttpHeaders.AUTHORIZATION), address(request)));
            if (wait == 0) {
                rc.next();
                return;
            }
            long seconds = TokenBuckets.retryAfterSeconds(wait);
            String message = "rate limit of " + rate + " requests/s exceeded for this client; retry after " + seconds + " s";
            if (GrpcTrailersOnly.isGrpc(request)) {
                grpcRefused.increment();
                refuseGrpc(rc, message, seconds);
            } else {
                restRefused.increment();
                refuseRest(rc, message, seconds, maxBody);
            }
        });
        LOG.infof("rate limiting: %s requests/s per client (bearer token, else remote address), burst %d, up to %d clients;"
                + " %s* is not limited", rate, limit.burst(), limit.maxClients(), exempt);
    }

    void removeGauge(@Observes ShutdownEvent event) {
        // the registry can outlive the application (tests restart it in one JVM) and keep the first gauge
        if (clientsGauge != null) {
            registry.remove(clientsGauge);
        }
    }

    /** {@code /q/} by default; an absolute non-application root path stands alone, a relative one is under the root path. */
    static String exemptPrefix(String rootPath, String nonApplicationRootPath) {
        String path = nonApplicationRootPath.startsWith("/") ? nonApplicationRootPath : rootPath + "/" + nonApplicationRootPath;
        path = ("/" + path + "/").replaceAll("/{2,}", "/");
        return path;
    }

    private static String address(HttpServerRequest request) {
        SocketAddress address = request.remoteAddress();
        if (address == null) {
            return "unknown";
        }
        return address.hostAddress() != null ? address.hostAddress() : address.toString();
    }

    /** Trailers-Only RESOURCE_EXHAUSTED, with the wait as a {@code retry-after} trailer. */
    private static void refuseGrpc(RoutingContext rc, String message, long seconds) {
        GrpcTrailersOnly.send(rc.response().putHeader("retry-after", Long.toString(seconds)), Status.Code.RESOURCE_EXHAUSTED, message);
    }

    private static void refuseRest(RoutingContext rc, String message, long seconds, long maxBody) {
        HttpServerRequest request = rc.request();
        HttpServerResponse response = rc.response().setStatusCode(429)
                .putHeader(HttpHeaders.RETRY_AFTER, Long.toString(seconds))
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
        String json = new JsonObject().put("error", message).encode();
        if (request.isEnded() || request.version() == HttpVersion.HTTP_2) {
            // HTTP/2 ends the stream alone: the rest of its body is refused by the protocol, not the connection
            response.end(json);
            return;
        }
        AtomicLong read = new AtomicLong();
        request.handler(buffer -> {
            if (read.addAndGet(buffer.length()) > maxBody && !response.ended()) {
                response.putHeader(HttpHeaders.CONNECTION, "close").end(json);
                request.connection().close();
            }
        });
        request.endHandler(v -> {
            if (!response.ended()) {
                response.end(json);
            }
        });
        request.exceptionHandler(e -> LOG.debugf("a rate-limited request's body failed: %s", e));
        request.resume();
    }
}
