package dev.apiauth.it.shapes;

import dev.apiauth.ApiKeyRequired;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.Suspended;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** Asynchronous resource methods: suspended responses and completion stages. */
@Path("async")
@ApiKeyRequired
public class AsyncResource {

    @GET
    @Path("suspended")
    public void suspended(@Suspended AsyncResponse response) {
        new Thread(() -> response.resume("suspended")).start();
    }

    @GET
    @Path("stage")
    public CompletionStage<String> stage() {
        return CompletableFuture.supplyAsync(() -> "stage");
    }
}
