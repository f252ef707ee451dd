package dev.apiauth.it.portable;

import dev.apiauth.ApiKeyRequired;
import dev.apiauth.it.shapes.ProtectedSub;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;

/**
 * A protected locator whose sub-resource is protected by its own annotation: guardable on every runtime (Jersey checks
 * the locator before it runs; elsewhere the sub-resource's own filter does).
 */
@Path("guarded-locator")
@ApiKeyRequired
public class GuardedLocatorResource {

    @Path("sub")
    public ProtectedSub sub() {
        return new ProtectedSub();
    }

    @GET
    public String get() {
        return "guarded locator";
    }
}
