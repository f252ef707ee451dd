package dev.apiauth.it.shapes;

import jakarta.enterprise.context.RequestScoped;
import jakarta.ws.rs.Path;

/** Implements the annotated interface and repeats nothing but the path. */
@Path("iface-type")
@RequestScoped
public class TypeLevelResource implements TypeLevelApi {

    @Override
    public String get() {
        return "type-level";
    }
}
