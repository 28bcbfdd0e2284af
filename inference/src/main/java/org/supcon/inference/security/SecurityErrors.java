package org.supcon.inference.security;

import io.quarkus.security.AuthenticationCompletionException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.grpc.Status;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.supcon.inference.grpc.GrpcTrailersOnly;

/**
 * The framework's security decides (bearer JWT, the {@code inference-user} path policy switched by
 * {@code inference.auth.enabled}); this words its refusals in each protocol's terms. REST:
 * {@code {"error": "..."}} with 401 (+ {@code WWW-Authenticate: Bearer}) or 403. gRPC (the same HTTP/2
 * server): a Trailers-Only response with status UNAUTHENTICATED (16) or PERMISSION_DENIED (7) and
 * the message, which gRPC clients surface as the call's status. Refusals of a request without a
 * token come through {@link BearerMechanism#sendChallenge}, the others through the failure handler.
 */
@ApplicationScoped
public class SecurityErrors {

    static final String ROLE = "inference-user";

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).failureHandler(SecurityErrors::handle);
    }

    private static void handle(RoutingContext ctx) {
        Throwable f = ctx.failure();
        if (ctx.response().headWritten()) {
            ctx.next();
        } else if (f instanceof AuthenticationFailedException || f instanceof UnauthorizedException
                || f instanceof AuthenticationCompletionException) {
            unauthorized(ctx);
        } else if (f instanceof ForbiddenException) {
            refuse(ctx, 403, Status.Code.PERMISSION_DENIED, "the token's roles do not include " + ROLE + ", which this API requires");
        } else {
            ctx.next();
        }
    }

    /** 401 / UNAUTHENTICATED: no token, or one that does not verify. */
    static void unauthorized(RoutingContext ctx) {
        boolean presented = ctx.request().getHeader("Authorization") != null;
        if (!GrpcTrailersOnly.isGrpc(ctx.request())) {
            ctx.response().putHeader("WWW-Authenticate", presented ? "Bearer error=\"invalid_token\"" : "Bearer");
        }
        refuse(ctx, 401, Status.Code.UNAUTHENTICATED, presented
                ? "the bearer token was refused (bad signature, expired, or wrong issuer): issue a new one"
                : "authentication required: send 'Authorization: Bearer <token>' (gRPC: 'authorization' metadata) "
                        + "with a token holding the role " + ROLE);
    }

    private static void refuse(RoutingContext ctx, int httpStatus, Status.Code grpcStatus, String message) {
        if (GrpcTrailersOnly.isGrpc(ctx.request())) {
            GrpcTrailersOnly.send(ctx.response(), grpcStatus, message);
        } else {
            ctx.response().setStatusCode(httpStatus).putHeader("Content-Type", "application/json")
                    .end(new JsonObject().put("error", message).encode());
        }
    }
}
