package dev.apiauth.it;

import dev.apiauth.ApiKeyRequired;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;

/** Not a CDI bean: JAX-RS alone decides @RolesAllowed here. */
@Path("plain")
public class PlainRolesResource {

    @GET
    @Path("reports")
    @ApiKeyRequired
    @RolesAllowed({"reports", "auditor"})
    public String reports() {
        return "plain reports";
    }
}
