package org.supcon.inference.security;

import io.grpc.Status;
import io.quarkus.runtime.StartupEvent;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;
import org.supcon.common.security.ApiSecurity;
import org.supcon.inference.config.InferenceConfig;
import org.supcon.inference.grpc.GrpcTrailersOnly;

/**
 * The inference API's part of the shared bearer-token security (org.supcon.common.security):
 * tokens must hold {@value #ROLE} when {@code inference.auth.enabled} switches the path policy on
 * (and a warning at start when it is off, as dev/demo runs). gRPC shares the HTTP/2 port, so its
 * refusals are answered as gRPC: a Trailers-Only response with UNAUTHENTICATED (16) or
 * PERMISSION_DENIED (7) and the message, which gRPC clients surface as the call's status.
 */
@Singleton
public class InferenceApiSecurity implements ApiSecurity {

    private static final Logger LOG = Logger.getLogger(InferenceApiSecurity.class);
    static final String ROLE = "inference-user";

    private final InferenceConfig config;

    InferenceApiSecurity(InferenceConfig config) {
        this.config = config;
    }

    void warnWhenOff(@Observes StartupEvent event) {
        if (!config.auth().enabled()) {
            LOG.warn("API authentication is OFF (inference.auth.enabled=false): anyone who reaches the API port may call it");
        }
    }

    @Override
    public String role() {
        return ROLE;
    }

    @Override
    public String apiName() {
        return "the API";
    }

    @Override
    public boolean checksTokens() {
        return config.auth().enabled();
    }

    @Override
    public String otherCredentialPlace() {
        return "gRPC: 'authorization' metadata";
    }

    @Override
    public boolean refuseInOwnProtocol(RoutingContext ctx, int httpStatus, String message) {
        if (!GrpcTrailersOnly.isGrpc(ctx.request())) {
            return false;
        }
        GrpcTrailersOnly.send(ctx.response(),
                httpStatus == 403 ? Status.Code.PERMISSION_DENIED : Status.Code.UNAUTHENTICATED, message);
        return true;
    }
}
