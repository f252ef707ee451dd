package dev.apiauth.it.shapes;

import dev.apiauth.ApiKeyRequired;
import jakarta.ws.rs.GET;

@ApiKeyRequired
public class ProtectedSub {

    @GET
    public String get() {
        return "protected sub";
    }
}
