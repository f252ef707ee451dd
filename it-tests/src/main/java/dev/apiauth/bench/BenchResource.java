package dev.apiauth.bench;

import dev.apiauth.ApiKeyRequired;
import dev.apiauth.ApiKeyService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** The same small body behind no check, the naive check and the library's. */
@Path("")
@ApplicationScoped
@Produces(MediaType.TEXT_PLAIN)
public class BenchResource {

    @Inject
    ApiKeyService keys;

    @GET
    @Path("open")
    public String open() {
        return "ok";
    }

    @GET
    @Path("naive")
    @Naive
    public String naive() {
        return "ok";
    }

    @GET
    @Path("key")
    @ApiKeyRequired
    public String key() {
        return "ok";
    }

    /** Backend writes caused by lastUsedAt tracking since start (for the write-amplification figure). */
    @GET
    @Path("stats/usage-writes")
    public String usageWrites() {
        return Long.toString(keys.usageWrites());
    }
}
