package dev.apiauth.it.shapes;

import dev.apiauth.ApiKeyRequired;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.SecurityContext;

/** A sub-resource: no @Path of its own; one method adds a scope to the locator's requirement. */
public class ItemResource {

    private final String id;

    public ItemResource(String id) {
        this.id = id;
    }

    @GET
    public String get(@Context SecurityContext security) {
        return "item " + id + " for " + (security.getUserPrincipal() == null ? "nobody" : security.getUserPrincipal().getName());
    }

    @GET
    @Path("admin")
    @ApiKeyRequired(scopes = "admin")
    public String admin() {
        return "item admin " + id;
    }
}
