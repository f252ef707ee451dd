package dev.apiauth.it;

import dev.apiauth.ApiKeyService;
import dev.apiauth.KeyRequest;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import java.util.Set;

/** Test-only switches, deployed only in test WARs: issue keys without the management API, break the backend. */
@Path("test-control")
@RequestScoped
public class TestControlResource {

    @Inject
    ApiKeyService keys;

    @Inject
    FlakyBackend backend;

    @POST
    @Path("keys")
    public String issue(@QueryParam("owner") String owner, @QueryParam("scope") Set<String> scopes) {
        return keys.create(new KeyRequest("control", owner, scopes, null, null)).plaintext();
    }

    @POST
    @Path("failing")
    public String failing(@QueryParam("on") boolean on) {
        backend.setFailing(on);
        return String.valueOf(on);
    }

    @GET
    @Path("lookups")
    public String lookups() {
        return String.valueOf(backend.lookups());
    }
}
