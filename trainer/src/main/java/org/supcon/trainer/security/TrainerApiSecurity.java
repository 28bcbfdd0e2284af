package org.supcon.trainer.security;

import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.supcon.common.security.ApiSecurity;

/**
 * The admin API's part of the shared bearer-token security (org.supcon.common.security): tokens
 * must hold {@value #ROLE} (the path policy in application.properties), and only a process that
 * serves the API checks them; a command-line subcommand has no API.
 */
@Singleton
public class TrainerApiSecurity implements ApiSecurity {

    static final String ROLE = "trainer-admin";

    private final boolean servesApi;

    TrainerApiSecurity(@ConfigProperty(name = "quarkus.http.host-enabled", defaultValue = "true") boolean servesApi) {
        this.servesApi = servesApi;
    }

    @Override
    public String role() {
        return ROLE;
    }

    @Override
    public String apiName() {
        return "the admin API";
    }

    @Override
    public boolean checksTokens() {
        return servesApi;
    }
}
