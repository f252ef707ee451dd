package dev.apiauth.it.shapes;

import dev.apiauth.ApiKeyRequired;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;

@Path("explicit-only")
@ApiKeyRequired
public class ExplicitResource {

    @GET
    public String get() {
        return "explicit";
    }
}
