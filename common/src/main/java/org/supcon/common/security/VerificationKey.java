package org.supcon.common.security;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

/**
 * Says at start how the API checks tokens, and loudly when it cannot: without a key to verify
 * them every call is refused, which is safe but puzzling unless the log names the setting.
 */
@ApplicationScoped
public class VerificationKey {

    private static final Logger LOG = Logger.getLogger(VerificationKey.class);
    static final String LOCATION = "mp.jwt.verify.publickey.location";
    static final String INLINE = "mp.jwt.verify.publickey";

    private final ApiSecurity api;

    VerificationKey(ApiSecurity api) {
        this.api = api;
    }

    void onStart(@Observes StartupEvent event) {
        if (!api.checksTokens()) {
            return;
        }
        Config config = ConfigProvider.getConfig();
        Optional<String> location = config.getOptionalValue(LOCATION, String.class);
        Optional<String> problem = problem(location, config.getOptionalValue(INLINE, String.class));
        if (problem.isPresent()) {
            LOG.errorf("%s will refuse every call: %s (README.md \"Security\"; dev/token issues tokens locally)",
                    api.apiName(), problem.get());
        } else {
            LOG.infof("%s takes bearer tokens with the role %s, verified with %s", api.apiName(), api.role(),
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
