package dev.apiauth.it.shapes;

import jakarta.enterprise.context.RequestScoped;
import jakarta.ws.rs.Path;

@Path("iface-method")
@RequestScoped
public class MethodLevelResource implements MethodLevelApi {

    @Override
    public String secret() {
        return "method-level";
    }

    @Override
    public String open() {
        return "open";
    }
}
