package org.supcon.common.security;

import io.quarkus.security.AuthenticationCompletionException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * The framework's security decides (bearer JWT, the service's role policy in application.properties);
 * this only words its refusals like every other error of the API: {@code {"error": "..."}} with 401
 * (no token, or one that does not verify: bad signature, expired, wrong issuer; with
 * {@code WWW-Authenticate: Bearer}) or 403 (a valid token without the role), unless the service
 * answers the request in its own protocol ({@link ApiSecurity.OwnProtocol}, e.g. a gRPC
 * status). Refusals of a request without a token come through {@link BearerMechanism#sendChallenge},
 * the others through the router's failure handler installed here.
 */
@ApplicationScoped
public class SecurityErrors {

    private final ApiSecurity api;

    SecurityErrors(ApiSecurity api) {
        this.api = api;
    }

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).failureHandler(this::handle);
    }

    private void handle(RoutingContext ctx) {
        Throwable f = ctx.failure();
        if (ctx.response().headWritten()) {
            ctx.next();
        } else if (f instanceof AuthenticationFailedException || f instanceof UnauthorizedException
                || f instanceof AuthenticationCompletionException) {
            unauthorized(ctx);
        } else if (f instanceof ForbiddenException) {
            String message = "the token's roles do not include " + api.role() + ", which this API requires";
            if (!api.ownProtocol().refuse(ctx, 403, message)) {
                send(ctx, 403, message);
            }
        } else {
            ctx.next();
        }
    }

    /** 401: no token, or one that does not verify. */
    void unauthorized(RoutingContext ctx) {
        boolean presented = ctx.request().getHeader("Authorization") != null;
        String other = api.otherCredentialPlace().isEmpty() ? "" : " (" + api.otherCredentialPlace() + ")";
        String message = presented
                ? "the bearer token was refused (bad signature, expired, or wrong issuer): issue a new one"
                : "authentication required: send 'Authorization: Bearer <token>'" + other
                        + " with a token holding the role " + api.role();
        if (!api.ownProtocol().refuse(ctx, 401, message)) {
            ctx.response().putHeader("WWW-Authenticate", presented ? "Bearer error=\"invalid_token\"" : "Bearer");
            send(ctx, 401, message);
        }
    }

    private static void send(RoutingContext ctx, int status, String message) {
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
                .end(new JsonObject().put("error", message).encode());
    }
}
