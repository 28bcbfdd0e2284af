package org.supcon.trainer.security;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.supcon.common.security.ApiSecurity;

/**
 * The admin API's part of the shared bearer-token security (org.supcon.common.security): tokens
 * must hold {@code trainer-admin} (the path policy in application.properties), and only a process
 * that serves the API checks them; a command-line subcommand has no API.
 */
public class TrainerApiSecurity {

    @Produces
    @Singleton
    ApiSecurity apiSecurity(@ConfigProperty(name = "quarkus.http.host-enabled", defaultValue = "true") boolean servesApi) {
        return new ApiSecurity("trainer-admin", "the admin API", servesApi, "", ApiSecurity.OwnProtocol.NONE);
    }
}
