package org.supcon.inference.health;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;
import org.supcon.inference.model.ServedModel;
import org.supcon.inference.service.ModelManager;

/** Ready while a validated version is loaded; names it, the provider and the other loaded versions. */
@Readiness
@ApplicationScoped
public class ModelReadinessCheck implements HealthCheck {

    private final ModelManager manager;

    public ModelReadinessCheck(ModelManager manager) {
        this.manager = manager;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder r = HealthCheckResponse.named("model").withData("provider", manager.provider());
        manager.lastRefusal().ifPresent(reason -> r.withData("lastRefused", reason));
        ServedModel m = manager.latest().orElse(null);
        if (m == null) {
            return r.down().withData("reason", "no valid model version loaded yet").build();
        }
        return r.up().withData("name", m.name()).withData("version", m.version()).withData("sha256", m.sha256())
                .withData("loadedVersions", manager.loadedVersions().toString()).build();
    }
}
