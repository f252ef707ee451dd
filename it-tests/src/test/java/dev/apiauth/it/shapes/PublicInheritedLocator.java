package dev.apiauth.it.shapes;

import jakarta.ws.rs.Path;

@Path("public-inherited")
public class PublicInheritedLocator extends BaseLocatorResource {
}
