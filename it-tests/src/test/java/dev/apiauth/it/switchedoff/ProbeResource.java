package dev.apiauth.it.switchedoff;

import jakarta.servlet.ServletContext;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Context;

/** What the application's servlet context says about RESTEasy's providers (open: it holds no secret). */
@Path("probe/providers")
public class ProbeResource {

    @Context
    ServletContext context;

    @GET
    public String providers() {
        return String.valueOf(context.getInitParameter("resteasy.providers"));
    }
}
