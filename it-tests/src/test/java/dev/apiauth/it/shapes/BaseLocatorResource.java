package dev.apiauth.it.shapes;

import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;

/** A locator inherited by a protected and an unprotected class: one java.lang.reflect.Method, two rules. */
public abstract class BaseLocatorResource {

    @Path("items/{id}")
    public ItemResource item(@PathParam("id") String id) {
        return new ItemResource(id);
    }
}
