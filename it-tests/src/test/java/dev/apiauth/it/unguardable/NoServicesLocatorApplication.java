package dev.apiauth.it.unguardable;

import dev.apiauth.it.shapes.ItemResource;
import dev.apiauth.it.shapes.LocatorResource;
import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;
import java.util.Map;
import java.util.Set;

/**
 * Lists a protected locator-only class and switches off the Jakarta REST feature services: on RESTEasy only the built-in
 * providers file registers the guard, and with an empty {@code <absolute-ordering/>} in web.xml no servlet initializer of
 * the library runs either.
 */
@ApplicationPath("nos")
public class NoServicesLocatorApplication extends Application {

    @Override
    public Set<Class<?>> getClasses() {
        return Set.of(LocatorResource.class, ItemResource.class);
    }

    @Override
    public Map<String, Object> getProperties() {
        return Map.of("jakarta.ws.rs.loadServices", false);
    }
}
