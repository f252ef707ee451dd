package dev.apiauth.it.shapes;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;
import java.util.Map;
import java.util.Set;

/**
 * Carries the property Payara sets on its own Jersey applications ({@code payara-internal}), where the library mounts no
 * endpoint: an application that sets it itself must keep its guard.
 */
@ApplicationPath("marked")
public class MarkedInternalApplication extends Application {

    @Override
    public Set<Class<?>> getClasses() {
        return Set.of(ExplicitResource.class);
    }

    @Override
    public Map<String, Object> getProperties() {
        return Map.of("payara-internal", "true");
    }
}
