package org.supcon.inference.security;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;
import org.supcon.inference.config.InferenceConfig;

/**
 * Says at start who may call the API: with inference.auth.enabled=false, that anyone may (a warning,
 * as dev/demo runs); with it on, how tokens are verified, and loudly when they cannot be (every call
 * would be refused).
 */
@ApplicationScoped
public class VerificationKey {

    private static final Logger LOG = Logger.getLogger(VerificationKey.class);
    static final String LOCATION = "mp.jwt.verify.publickey.location";
    static final String INLINE = "mp.jwt.verify.publickey";

    private final InferenceConfig config;

    public VerificationKey(InferenceConfig config) {
        this.config = config;
    }

    void onStart(@Observes StartupEvent event) {
        if (!config.auth().enabled()) {
            LOG.warn("API authentication is OFF (inference.auth.enabled=false): anyone who reaches the API port may call it");
            return;
        }
        Config c = ConfigProvider.getConfig();
        Optional<String> location = c.getOptionalValue(LOCATION, String.class);
        Optional<String> problem = problem(location, c.getOptionalValue(INLINE, String.class));
        if (problem.isPresent()) {
            LOG.errorf("inference.auth.enabled=true but the API will refuse every call: %s (README.md \"Security\")",
                    problem.get());
        } else {
            LOG.infof("API authentication on: bearer tokens with the role %s, verified with %s", SecurityErrors.ROLE,
                    location.orElse(INLINE));
        }
    }

    /** Why tokens cannot be verified with this configuration, if they cannot. */
    static Optional<String> problem(Optional<String> location, Optional<String> inline) {
        if (inline.filter(s -> !s.isBlank()).isPresent()) {
            return Optional.empty();
        }
        if (location.filter(s -> !s.isBlank()).isEmpty()) {
            return Optional.of("no key to verify tokens with: set " + LOCATION + " (a PEM public key file or a JWKS URL)");
        }
        String l = location.get().strip();
        if (l.contains("://") && !l.startsWith("file:") || l.startsWith("classpath:")) {
            return Optional.empty(); // fetched or loaded by the verifier; its errors name the location
        }
        Path file = Path.of(l.startsWith("file:") ? l.substring("file:".length()) : l);
        if (!Files.isReadable(file)) {
            return Optional.of(LOCATION + " names " + file.toAbsolutePath() + ", which cannot be read");
        }
        return Optional.empty();
    }
}
