package dev.apiauth.jaxrs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.apiauth.ApiKeyRequired;
import dev.apiauth.ApiKeyRequired.Match;
import jakarta.annotation.security.DenyAll;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What the OpenAPI document is told about each method: its template and its requirement as alternatives of scope sets. */
class OpenApiRoutesTest {

    @Path("orders")
    interface OrdersApi {
        @GET
        @Path("{id: [0-9]+}/")
        @ApiKeyRequired(scopes = {"orders:read", "orders:admin"}, match = Match.ANY)
        String get(String id);

        @POST
        String create();
    }

    @ApiKeyRequired(scopes = "tenant")
    static class Orders implements OrdersApi {
        @Override
        public String get(String id) {
            return id;
        }

        @Override
        @RolesAllowed({"writer", "admin"})
        public String create() {
            return "";
        }

        @GET
        @Path("/closed")
        @DenyAll
        public String closed() {
            return "";
        }
    }

    @Test
    void templatesJoinTheClassAndMethodPathsWithoutRegularExpressions() throws Exception {
        assertEquals("/orders/{id}", OpenApiRoutes.template(Orders.class, Orders.class.getMethod("get", String.class)));
        assertEquals("/orders", OpenApiRoutes.template(Orders.class, Orders.class.getMethod("create")));
        assertEquals("/orders/closed", OpenApiRoutes.template(Orders.class, Orders.class.getMethod("closed")));
        assertEquals("/a/{b}/c", OpenApiRoutes.normalise("a//{ b : .+}/c/"));
        assertEquals("", OpenApiRoutes.normalise("/"));
    }

    @Test
    void requirementsBecomeAlternativesOfScopeSets() throws Exception {
        // the interface method's ANY and the class's scope must both hold: tenant with one of the two
        assertEquals(List.of(Set.of("orders:admin", "tenant"), Set.of("orders:read", "tenant")),
                GuardRule.resolve(Orders.class, Orders.class.getMethod("get", String.class)).alternatives(16));
        assertEquals(List.of(Set.of("admin", "tenant"), Set.of("tenant", "writer")),
                GuardRule.resolve(Orders.class, Orders.class.getMethod("create")).alternatives(16));
        assertEquals(List.of(), GuardRule.resolve(Orders.class, Orders.class.getMethod("closed")).alternatives(16), "no key passes");
        assertEquals(List.of(Set.of()), GuardRule.anyKey().alternatives(16));
        assertNull(GuardRule.resolve(Orders.class, Orders.class.getMethod("get", String.class)).alternatives(1), "over the cap");
    }

    @Test
    void recordedRoutesCarryTheMethodsNameAndRule() throws Exception {
        OpenApiRoutes.record(Orders.class, Orders.class.getMethod("closed"), GuardRule.resolve(Orders.class, Orders.class.getMethod("closed")));
        OpenApiRoutes.Route route = OpenApiRoutes.routes().stream().filter(r -> r.template().equals("/orders/closed")).findFirst().orElseThrow();
        assertEquals("GET", route.httpMethod());
        assertEquals("closed", route.javaMethod());
        assertEquals(List.of(), route.protectedBy());
    }
}
