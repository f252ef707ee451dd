package dev.apiauth.it.portable;

import dev.apiauth.it.shapes.ExplicitResource;
import dev.apiauth.it.shapes.MethodLevelResource;
import dev.apiauth.it.shapes.SingletonResource;
import dev.apiauth.it.shapes.TypeLevelResource;
import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;
import java.util.Set;

/**
 * Lists its classes and a singleton, so no server scans for providers on its behalf: the library's guard must register
 * itself (Jersey: a forced auto-discoverable; RESTEasy: its built-in providers file and the Jakarta REST Feature service).
 */
@ApplicationPath("listed")
public class ListedApplication extends Application {

    @Override
    public Set<Class<?>> getClasses() {
        return Set.of(ExplicitResource.class, TypeLevelResource.class, MethodLevelResource.class, GuardedLocatorResource.class);
    }

    @Override
    public Set<Object> getSingletons() {
        return Set.of(new SingletonResource());
    }
}
