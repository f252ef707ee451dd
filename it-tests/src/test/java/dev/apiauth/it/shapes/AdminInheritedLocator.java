package dev.apiauth.it.shapes;

import dev.apiauth.ApiKeyRequired;
import jakarta.ws.rs.Path;

@Path("admin-inherited")
@ApiKeyRequired(scopes = "admin")
public class AdminInheritedLocator extends BaseLocatorResource {
}
