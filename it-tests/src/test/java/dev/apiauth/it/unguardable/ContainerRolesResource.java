package dev.apiauth.it.unguardable;

import dev.apiauth.ApiKeyRequired;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;

/** @RolesAllowed on an API-key method while Payara's own JAX-RS role check (a container login) is active. */
@Path("roles")
public class ContainerRolesResource {

    @GET
    @ApiKeyRequired
    @RolesAllowed("reports")
    public String get() {
        return "would demand a container login";
    }
}
