package dev.apiauth.it.shapes;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;
import java.util.Map;
import java.util.Set;

/** Lists its classes and switches Jersey's auto-discovery off. */
@ApplicationPath("nodisc")
public class NoDiscoveryApplication extends Application {

    @Override
    public Set<Class<?>> getClasses() {
        return Set.of(ExplicitResource.class, LocatorResource.class, OverrideResource.class, TypeLevelResource.class);
    }

    @Override
    public Map<String, Object> getProperties() {
        return Map.of("jersey.config.server.disableAutoDiscovery", true, "jersey.config.disableAutoDiscovery", true);
    }
}
