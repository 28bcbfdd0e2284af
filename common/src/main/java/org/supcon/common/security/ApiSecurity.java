package org.supcon.common.security;

import io.vertx.ext.web.RoutingContext;

/**
 * What differs between the services' bearer-token security. Each service produces one bean of it;
 * the mechanism ({@link BearerMechanism}), the wording of refusals ({@link SecurityErrors}) and the
 * start-up report ({@link VerificationKey}) are shared. The decision itself is the framework's: the
 * path policy in each service's application.properties requires {@code role}.
 *
 * @param role the role a token must hold, e.g. {@code trainer-admin}
 * @param apiName the API as the start-up log names it, e.g. {@code the admin API}
 * @param checksTokens whether this process serves an API whose tokens are checked; if not, the
 *     start-up report is skipped
 * @param otherCredentialPlace where else a caller may send the token, as the 401 says (e.g. gRPC
 *     metadata); empty for none
 * @param ownProtocol answers refusals of requests in another protocol served on the same port
 */
public record ApiSecurity(String role, String apiName, boolean checksTokens, String otherCredentialPlace,
        OwnProtocol ownProtocol) {

    /** A protocol beside REST on the API port, e.g. gRPC, whose callers expect its own error form. */
    @FunctionalInterface
    public interface OwnProtocol {

        /** For a service whose API is REST only. */
        OwnProtocol NONE = (ctx, httpStatus, message) -> false;

        /**
         * Answers the refusal in this protocol, e.g. as a gRPC status.
         *
         * @return false when the request is not of this protocol; it then gets the JSON error
         */
        boolean refuse(RoutingContext ctx, int httpStatus, String message);
    }
}
