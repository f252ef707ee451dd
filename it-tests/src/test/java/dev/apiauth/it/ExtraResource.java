package dev.apiauth.it;

import dev.apiauth.ApiKeyRequired;
import dev.apiauth.ApiKeyRequired.Match;
import jakarta.annotation.security.RolesAllowed;
import jakarta.enterprise.context.RequestScoped;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.SecurityContext;

/** Annotation combinations the contract tests exercise; deployed next to the demo. */
@Path("extra")
@RequestScoped
@ApiKeyRequired(scopes = "class-scope")
public class ExtraResource {

    @Context
    SecurityContext security;

    @GET
    @Path("class-level")
    public String classLevel() {
        return "class-level";
    }

    @GET
    @Path("method-wins")
    @ApiKeyRequired
    public String methodWins() {
        return "method-wins";
    }

    @GET
    @Path("any")
    @ApiKeyRequired(scopes = {"orders:read", "orders:admin"}, match = Match.ANY)
    public String any() {
        return "any";
    }

    @GET
    @Path("reports")
    @ApiKeyRequired
    @RolesAllowed({"reports", "auditor"})
    public String reports() {
        return "reports for " + security.getUserPrincipal().getName() + " auditor=" + security.isUserInRole("auditor");
    }
}
