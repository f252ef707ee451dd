package dev.apiauth.it.shapes;

import jakarta.ws.rs.Path;

/** Overrides without repeating any annotation: JAX-RS inherits @GET/@Path, so the endpoint is live. */
@Path("override")
public class OverrideResource extends BaseResource {

    @Override
    public String data() {
        return "override";
    }
}
