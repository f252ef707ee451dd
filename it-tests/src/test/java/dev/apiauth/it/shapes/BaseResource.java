package dev.apiauth.it.shapes;

import dev.apiauth.ApiKeyRequired;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;

/** A superclass whose annotated method subclasses override. */
public abstract class BaseResource {

    @GET
    @Path("data")
    @ApiKeyRequired
    public String data() {
        return "base";
    }
}
