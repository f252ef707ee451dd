package dev.apiauth.it.coexist;

import jakarta.annotation.security.RolesAllowed;
import jakarta.enterprise.context.RequestScoped;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;

/** Protected by MicroProfile JWT groups, enforced by Payara's own @RolesAllowed check. */
@Path("jwt")
@RequestScoped
public class JwtRolesResource {

    @GET
    @Path("staff")
    @RolesAllowed("staff")
    public String staff() {
        return "staff";
    }

    @GET
    @Path("admin")
    @RolesAllowed("admin")
    public String admin() {
        return "admin";
    }
}
