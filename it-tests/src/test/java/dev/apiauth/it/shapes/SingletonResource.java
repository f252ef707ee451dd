package dev.apiauth.it.shapes;

import dev.apiauth.ApiKeyRequired;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;

/** Registered as an instance through getSingletons(). */
@Path("singleton")
@ApiKeyRequired
public class SingletonResource {

    @GET
    public String get() {
        return "singleton";
    }
}
