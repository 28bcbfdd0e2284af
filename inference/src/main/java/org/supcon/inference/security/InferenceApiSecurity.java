package org.supcon.inference.security;

import io.grpc.Status;
import io.quarkus.runtime.StartupEvent;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;
import org.supcon.common.security.ApiSecurity;
import org.supcon.inference.config.InferenceConfig;
import org.supcon.inference.grpc.GrpcTrailersOnly;

/**
 * The inference API's part of the shared bearer-token security (org.supcon.common.security):
 * tokens must hold {@code inference-user} when {@code inference.auth.enabled} switches the path
 * policy on (and a warning at start when it is off, as dev/demo runs). gRPC shares the HTTP/2 port,
 * so its refusals are answered as gRPC: a Trailers-Only response with UNAUTHENTICATED (16) or
 * PERMISSION_DENIED (7) and the message, which gRPC clients surface as the call's status.
 */
public class InferenceApiSecurity {

    private static final Logger LOG = Logger.getLogger(InferenceApiSecurity.class);

    @Produces
    @Singleton
    ApiSecurity apiSecurity(InferenceConfig config) {
        return new ApiSecurity("inference-user", "the API", config.auth().enabled(), "gRPC: 'authorization' metadata",
                InferenceApiSecurity::refuseAsGrpc);
    }

    void warnWhenOff(@Observes StartupEvent event, InferenceConfig config) {
        if (!config.auth().enabled()) {
            LOG.warn("API authentication is OFF (inference.auth.enabled=false): anyone who reaches the API port may call it");
        }
    }

    private static boolean refuseAsGrpc(RoutingContext ctx, int httpStatus, String message) {
        if (!GrpcTrailersOnly.isGrpc(ctx.request())) {
            return false;
        }
        GrpcTrailersOnly.send(ctx.response(), httpStatus == 403 ? Status.Code.PERMISSION_DENIED : Status.Code.UNAUTHENTICATED,
                message);
        return true;
    }
}
