package dev.apiauth.benchjwt;

import jakarta.annotation.security.RolesAllowed;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** /benchjwt/jwt: the same small body behind an RS256 bearer token with group "bench". */
@Path("jwt")
@ApplicationScoped
@Produces(MediaType.TEXT_PLAIN)
public class JwtResource {

    @GET
    @RolesAllowed("bench")
    public String jwt() {
        return "ok";
    }
}
