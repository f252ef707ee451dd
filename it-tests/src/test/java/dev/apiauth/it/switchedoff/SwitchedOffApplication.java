package dev.apiauth.it.switchedoff;

import dev.apiauth.it.TestControlResource;
import dev.apiauth.it.shapes.ExplicitResource;
import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;
import java.util.Map;
import java.util.Set;

/**
 * The only application of its WAR: lists its classes, and switches off the Jakarta REST service loading of features
 * ({@code jakarta.ws.rs.loadServices}); its web.xml also switches off RESTEasy's built-in providers. Neither route the
 * library uses on RESTEasy is left, yet its protected resource must not be served unguarded.
 */
@ApplicationPath("off")
public class SwitchedOffApplication extends Application {

    @Override
    public Set<Class<?>> getClasses() {
        return Set.of(ExplicitResource.class, TestControlResource.class, StringWriter.class, ProbeResource.class);
    }

    @Override
    public Map<String, Object> getProperties() {
        return Map.of("jakarta.ws.rs.loadServices", false);
    }
}
