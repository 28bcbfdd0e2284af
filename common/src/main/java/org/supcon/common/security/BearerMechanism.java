package org.supcon.common.security;

import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.smallrye.jwt.runtime.auth.JWTAuthMechanism;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.quarkus.vertx.http.runtime.security.HttpCredentialTransport;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import java.util.Set;

/**
 * The framework's bearer-JWT mechanism (smallrye-jwt) unchanged, except that its 401 challenge
 * carries the error in the caller's protocol ({@link SecurityErrors}: JSON, or what the service's
 * {@link ApiSecurity} answers, e.g. a gRPC status) instead of an empty body. The Quarkus way to
 * customise a mechanism: an {@code @Alternative} delegating to it.
 */
@Alternative
@Priority(1)
@ApplicationScoped
public class BearerMechanism implements HttpAuthenticationMechanism {

    private final JWTAuthMechanism delegate;
    private final SecurityErrors errors;

    BearerMechanism(JWTAuthMechanism delegate, SecurityErrors errors) {
        this.delegate = delegate;
        this.errors = errors;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager identityProviderManager) {
        return delegate.authenticate(context, identityProviderManager);
    }

    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext context) {
        return delegate.getChallenge(context);
    }

    @Override
    public Uni<Boolean> sendChallenge(RoutingContext context) {
        if (!context.response().headWritten()) {
            errors.unauthorized(context);
        }
        return Uni.createFrom().item(true);
    }

    @Override
    public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
        return delegate.getCredentialTypes();
    }

    @Override
    public Uni<HttpCredentialTransport> getCredentialTransport(RoutingContext context) {
        return delegate.getCredentialTransport(context);
    }

    @Override
    public int getPriority() {
        return delegate.getPriority();
    }
}
