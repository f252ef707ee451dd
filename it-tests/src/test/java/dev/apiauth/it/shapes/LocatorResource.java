package dev.apiauth.it.shapes;

import dev.apiauth.ApiKeyRequired;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import java.util.concurrent.atomic.AtomicInteger;

/** A protected class whose sub-resource locator hands out an unannotated sub-resource. */
@Path("locator")
@ApiKeyRequired
public class LocatorResource {

    /** How often the locator's own code ran; it must not run for a request without a valid key. */
    static final AtomicInteger CALLS = new AtomicInteger();

    @Path("items/{id}")
    public ItemResource item(@PathParam("id") String id) {
        CALLS.incrementAndGet();
        return new ItemResource(id);
    }
}
