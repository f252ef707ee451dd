package dev.apiauth.it.unguardable;

import dev.apiauth.ApiKeyRequired;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;

/** The contradiction sits in a sub-resource only a locator reaches: still found at deployment. */
@Path("sub-contradiction")
public class LocatorToContradiction {

    @Path("sub")
    public Sub sub() {
        return new Sub();
    }

    @ApiKeyRequired
    public static class Sub {
        @GET
        @PermitAll
        public String get() {
            return "should never be served";
        }
    }
}
