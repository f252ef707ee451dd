package dev.apiauth.demo;

import dev.apiauth.ApiKey;
import dev.apiauth.ApiKeyPrincipal;
import dev.apiauth.ApiKeyRequired;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
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
        return Json.createObjectBuilder()
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
        return Json.createObjectBuilder().add("message", "welcome, administrator")
                .add("ownerId", security.getUserPrincipal().getName()).build().toString();
    }
}
