package dev.apiauth.it.shapes;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;

/** Unprotected: what the tests read about the protected resources' own code. */
@Path("probe")
public class ShapeProbe {

    @GET
    @Path("locator-calls")
    public String locatorCalls() {
        return String.valueOf(LocatorResource.CALLS.get());
    }
}
