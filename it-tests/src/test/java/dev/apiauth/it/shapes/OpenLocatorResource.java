package dev.apiauth.it.shapes;

import jakarta.ws.rs.Path;

/** An unprotected class whose locator returns a sub-resource protected by its own class annotation. */
@Path("open-locator")
public class OpenLocatorResource {

    @Path("sub")
    public ProtectedSub sub() {
        return new ProtectedSub();
    }
}
