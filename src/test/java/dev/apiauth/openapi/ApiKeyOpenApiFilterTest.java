package dev.apiauth.openapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.apiauth.jaxrs.ManagementResource;
import dev.apiauth.jaxrs.OpenApiRoutes;
import dev.apiauth.jaxrs.OpenApiRoutes.Route;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Path;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Matching the document's operations to the guard's routes, and the management API's operation table. */
class ApiKeyOpenApiFilterTest {

    private static final Route HELLO = new Route("GET", "/hello", "hello", List.of(Set.of()), true);
    private static final Route ITEM = new Route("GET", "/items/{id}", "item", List.of(Set.of("read")), true);
    private static final Route ROOT = new Route("GET", "", "root", null, true);
    private static final Route OTHER_HELLO = new Route("GET", "/v2/hello", "helloAgain", null, true);
    private static final List<Route> ROUTES = List.of(HELLO, ITEM, ROOT, OTHER_HELLO);

    @Test
    void anOperationMatchesTheLongestTemplateEndingItsPathWithTheSameMethod() {
        assertSame(HELLO, ApiKeyOpenApiFilter.match("/api/hello", "GET", "hello", ROUTES));
        assertSame(ITEM, ApiKeyOpenApiFilter.match("/api/items/{id}", "GET", "item", ROUTES));
        assertSame(ROOT, ApiKeyOpenApiFilter.match("/api", "GET", "root", ROUTES));
        assertNull(ApiKeyOpenApiFilter.match("/api/hello", "POST", "hello", ROUTES), "another HTTP method");
        assertNull(ApiKeyOpenApiFilter.match("/api/xhello", "GET", null, List.of(HELLO)), "whole segments only");
        assertSame(HELLO, ApiKeyOpenApiFilter.match("/api/hello", "GET", "customOperationId", ROUTES), "by path when no method has the id");
        assertSame(OTHER_HELLO, ApiKeyOpenApiFilter.match("/api/v2/hello", "GET", "helloAgain", ROUTES));
        assertSame(OTHER_HELLO, ApiKeyOpenApiFilter.match("/api/v2/hello", "GET", null, ROUTES), "without an id: the longest");
        // two methods of one name: the longer template that fits
        Route nested = new Route("GET", "/v2/hello", "hello", null, true);
        assertSame(nested, ApiKeyOpenApiFilter.match("/api/v2/hello", "GET", "hello", List.of(HELLO, nested)));
        // the id names a method whose template does not fit the path, which another method's does: no guess
        assertNull(ApiKeyOpenApiFilter.match("/api/hello", "GET", "item", ROUTES));
    }

    @Test
    void theManagementTableListsExactlyTheManagementResourcesMethods() {
        Set<String> declared = new TreeSet<>();
        for (Method m : ManagementResource.class.getDeclaredMethods()) {
            String http = null;
            for (Annotation a : m.getAnnotations()) {
                HttpMethod h = a.annotationType().getAnnotation(HttpMethod.class);
                if (h != null) {
                    http = h.value();
                }
            }
            if (http != null && Modifier.isPublic(m.getModifiers())) {
                Path path = m.getAnnotation(Path.class);
                declared.add(http + " " + (path == null ? "" : OpenApiRoutes.normalise(path.value())));
            }
        }
        Set<String> documented = new TreeSet<>();
        for (Management.Op op : Management.OPERATIONS) {
            documented.add(op.httpMethod() + " " + op.path());
        }
        assertEquals(declared, documented);
    }
}
