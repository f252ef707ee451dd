package dev.apiauth.it.shapes;

import dev.apiauth.ApiKeyRequired;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;

/** A generated-API style interface with the requirement on one method. */
public interface MethodLevelApi {

    @GET
    @Path("secret")
    @ApiKeyRequired(scopes = "orders:read")
    String secret();

    @GET
    @Path("open")
    String open();
}
