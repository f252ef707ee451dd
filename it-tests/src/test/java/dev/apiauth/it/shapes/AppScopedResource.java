package dev.apiauth.it.shapes;

import dev.apiauth.ApiKey;
import dev.apiauth.ApiKeyRequired;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;

/** One instance for the whole application (common in MicroProfile): the key is read per call. */
@Path("app-scoped")
@ApplicationScoped
@ApiKeyRequired
public class AppScopedResource {

    @Inject
    Instance<ApiKey> key;

    @GET
    public String owner() {
        return key.get().ownerId();
    }
}
