package dev.apiauth.it.shapes;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;
import java.util.Set;

/** Lists its classes and a singleton: no provider scanning, so the library's feature is not among them. */
@ApplicationPath("explicit")
public class ExplicitApplication extends Application {

    @Override
    public Set<Class<?>> getClasses() {
        return Set.of(ExplicitResource.class, LocatorResource.class, OverrideResource.class, MethodLevelResource.class);
    }

    @Override
    public Set<Object> getSingletons() {
        return Set.of(new SingletonResource());
    }
}
