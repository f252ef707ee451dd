package dev.apiauth.it.coexist;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;
import org.eclipse.microprofile.auth.LoginConfig;

/** MicroProfile JWT and API keys in one WAR, Payara's JAX-RS @RolesAllowed check left on (its default). */
@ApplicationScoped
@LoginConfig(authMethod = "MP-JWT")
@ApplicationPath("api")
public class CoexistApplication extends Application {
}
