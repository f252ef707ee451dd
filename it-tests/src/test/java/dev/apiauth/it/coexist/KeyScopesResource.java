package dev.apiauth.it.coexist;

import dev.apiauth.ApiKeyRequired;
import dev.apiauth.ApiKeyRequired.Match;
import jakarta.enterprise.context.RequestScoped;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;

/** Roles of an API-key endpoint expressed as scopes, so Payara's container role check never sees them. */
@Path("keys")
@RequestScoped
public class KeyScopesResource {

    @GET
    @Path("report")
    @ApiKeyRequired(scopes = {"reports", "auditor"}, match = Match.ANY)
    public String report() {
        return "report";
    }
}
