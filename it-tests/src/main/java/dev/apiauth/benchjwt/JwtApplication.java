package dev.apiauth.benchjwt;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;
import org.eclipse.microprofile.auth.LoginConfig;

/** MicroProfile JWT, in a deployment of its own (benchjwt.war): enabling it taxes every endpoint of its WAR. */
@ApplicationScoped
@LoginConfig(authMethod = "MP-JWT")
@ApplicationPath("")
public class JwtApplication extends Application {
}
