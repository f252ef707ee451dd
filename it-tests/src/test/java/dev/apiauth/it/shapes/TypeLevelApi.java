package dev.apiauth.it.shapes;

import dev.apiauth.ApiKeyRequired;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;

/**
 * A shared interface that carries the requirement for the whole type; its methods' JAX-RS annotations are
 * inherited by the implementation, which adds only its {@code @Path} (class annotations are not inherited).
 */
@ApiKeyRequired
public interface TypeLevelApi {

    @GET
    @Path("")
    String get();
}
