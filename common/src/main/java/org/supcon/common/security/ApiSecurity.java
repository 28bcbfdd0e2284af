package org.supcon.common.security;

import io.vertx.ext.web.RoutingContext;

/**
 * What differs between the services' bearer-token security. Each service provides one bean of it;
 * the mechanism ({@link BearerMechanism}), the wording of refusals ({@link SecurityErrors}) and the
 * start-up report ({@link VerificationKey}) are shared. The decision itself is the framework's: the
 * path policy in each service's application.properties requires {@link #role()}.
 */
public interface ApiSecurity {

    /** The role a token must hold, e.g. {@code trainer-admin}. */
    String role();

    /** The API as the start-up log names it, e.g. {@code the admin API}. */
    String apiName();

    /** Whether this process serves an API whose tokens are checked; if not, the start-up report is skipped. */
    boolean checksTokens();

    /** Where else a caller may send the token, as the 401 says (e.g. gRPC metadata); empty for none. */
    default String otherCredentialPlace() {
        return "";
    }

    /**
     * Answers a refusal in another protocol served on the same port, e.g. gRPC as a status.
     *
     * @return false when the request is not of that protocol; it then gets the JSON error
     */
    default boolean refuseInOwnProtocol(RoutingContext ctx, int httpStatus, String message) {
        return false;
    }
}
