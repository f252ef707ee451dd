package dev.apiauth.it.unguardable;

import dev.apiauth.ApiKeyRequired;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;

/** Contradictory: the class requires a key, the method says everyone. The library refuses to choose. */
@Path("permit")
@ApiKeyRequired
public class PermitAllOnProtectedResource {

    @GET
    @PermitAll
    public String get() {
        return "should never be served";
    }
}
