package dev.apiauth.demo;

import dev.apiauth.ApiKey;
import dev.apiauth.ApiKeyPrincipal;
import dev.apiauth.ApiKeyRequired;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonBuilderFactory;
import java.util.Map;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.SecurityContext;

@Path("")
@RequestScoped
@Produces(MediaType.APPLICATION_JSON)
public class DemoResource {

    /**
     * One factory for the application's life: {@code Json.createObjectBuilder()} looks the JSON-P provider up on every
     * call (a service-loader scan), which costs a request more than the key check does.
     */
    private static final JsonBuilderFactory JSON = Json.createBuilderFactory(Map.of());

    @Inject
    ApiKey apiKey;

    @Context
    SecurityContext security;

    @GET
    @Path("public")
    public String open() {
        return "{\"message\":\"anyone can read this\"}";
    }

    @GET
    @Path("hello")
    @ApiKeyRequired
    public String hello() {
        ApiKeyPrincipal caller = (ApiKeyPrincipal) security.getUserPrincipal();
        return JSON.createObjectBuilder()
                .add("message", "hello, " + caller.getName())
                .add("ownerId", caller.ownerId())
                .add("keyId", caller.keyId().toString())
                .add("keyName", apiKey.name())
                .build().toString();
    }

    @GET
    @Path("admin")
    @ApiKeyRequired(scopes = "admin")
    public String admin() {
        return JSON.createObjectBuilder().add("message", "welcome, administrator")
                .add("ownerId", security.getUserPrincipal().getName()).build().toString();
    }
}
