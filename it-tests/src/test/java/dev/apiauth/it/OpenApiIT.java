package dev.apiauth.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiauth.demo.build.Deployments;
import dev.apiauth.internal.KeyCodec;
import dev.apiauth.internal.KeyHasher;
import dev.apiauth.it.openapi.AppOasFilter;
import dev.apiauth.it.shapes.BaseResource;
import dev.apiauth.it.shapes.MethodLevelApi;
import dev.apiauth.it.shapes.MethodLevelResource;
import dev.apiauth.it.shapes.OverrideResource;
import dev.apiauth.it.shapes.TypeLevelApi;
import dev.apiauth.it.shapes.TypeLevelResource;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import java.io.File;
import java.io.StringReader;
import java.net.URL;
import java.nio.file.Path;
import java.util.Map;
import org.jboss.shrinkwrap.api.exporter.ZipExporter;
import org.junit.jupiter.api.Test;

/**
 * MP OpenAPI on Payara Micro, with no OpenAPI annotation or configuration in the application: /openapi shows the API-key
 * scheme, a requirement with the scopes on every protected operation (including those protected through an interface
 * or a superclass), the guard's answers with the problem schema, nothing on open operations, and the management API.
 * The application's own filter (apiauth.openapi.filter) runs after the library's.
 */
class OpenApiIT {

    @Test
    void theDocumentShowsTheSchemeTheRequirementsAndTheManagementApi() throws Exception {
        String bootstrap = new KeyCodec("ops_").generate();
        Path dir = PayaraProcess.freshDir(Path.of(System.getProperty("apiauth.build", "target"), "openapi"));
        File war = dir.resolve("app.war").toFile();
        Deployments.demoWith("app.war", Map.of("apiauth.backend", "memory", "apiauth.management.enabled", "true",
                        "apiauth.bootstrap.admin-key-hash", KeyHasher.unpeppered().hash(bootstrap),
                        "apiauth.openapi.filter", AppOasFilter.class.getName()),
                TypeLevelApi.class, TypeLevelResource.class, MethodLevelApi.class, MethodLevelResource.class,
                BaseResource.class, OverrideResource.class, AppOasFilter.class).as(ZipExporter.class).exportTo(war, true);
        try (PayaraProcess payara = PayaraProcess.start(war, dir, "openapi.log")) {
            String boot = payara.awaitBoot();
            assertTrue(boot.contains("OpenAPI security scheme and requirements (MP OpenAPI filter, then " + AppOasFilter.class.getName()), boot);
            Http server = new Http(new URL("http://127.0.0.1:" + payara.port + "/"));
            Http.Response response = server.get("openapi", "Accept", "application/json");
            assertEquals(200, response.status(), response.toString());
            JsonObject doc = Json.createReader(new StringReader(response.body())).readObject();

            JsonObject scheme = doc.getJsonObject("components").getJsonObject("securitySchemes").getJsonObject("apiKey");
            assertEquals("apiKey", scheme.getString("type"));
            assertEquals("header", scheme.getString("in"));
            assertEquals("X-API-Key", scheme.getString("name"));
            assertNotNull(doc.getJsonObject("components").getJsonObject("schemas").getJsonObject("ApiAuthProblem"));

            JsonObject paths = doc.getJsonObject("paths");
            assertRequires(paths, "/api/hello", "get", "[{\"apiKey\":[]}]");
            assertRequires(paths, "/api/admin", "get", "[{\"apiKey\":[\"admin\"]}]");
            assertRequires(paths, "/api/iface-type", "get", "[{\"apiKey\":[]}]"); // type-level @ApiKeyRequired on an interface
            assertRequires(paths, "/api/iface-method/secret", "get", "[{\"apiKey\":[\"orders:read\"]}]"); // on an interface method
            assertRequires(paths, "/api/override/data", "get", "[{\"apiKey\":[]}]"); // an override that repeats nothing
            assertOpen(paths, "/api/public", "get");
            assertOpen(paths, "/api/iface-method/open", "get");

            JsonObject hello = paths.getJsonObject("/api/hello").getJsonObject("get").getJsonObject("responses");
            for (String status : new String[] {"401", "429", "503"}) {
                assertEquals("#/components/schemas/ApiAuthProblem", hello.getJsonObject(status).getJsonObject("content")
                        .getJsonObject("application/problem+json").getJsonObject("schema").getString("$ref"), status);
            }
            assertFalse(hello.containsKey("403"), "no scope required, so no 403");
            assertTrue(paths.getJsonObject("/api/admin").getJsonObject("get").getJsonObject("responses").containsKey("403"));

            assertRequires(paths, "/api/api-keys", "post", "[{\"apiKey\":[\"apiauth:admin\"]}]");
            assertRequires(paths, "/api/api-keys", "get", "[{\"apiKey\":[\"apiauth:admin\"]}]");
            assertRequires(paths, "/api/api-keys/{id}", "get", "[{\"apiKey\":[\"apiauth:admin\"]}]");
            assertRequires(paths, "/api/api-keys/{id}", "patch", "[{\"apiKey\":[\"apiauth:admin\"]}]");
            assertNull(paths.getJsonObject("/api/api-keys/{id}").get("delete"), "the application's filter left the delete out");
            assertRequires(paths, "/api/api-keys/{id}/revoke", "post", "[{\"apiKey\":[\"apiauth:admin\"]}]");
            assertRequires(paths, "/api/api-keys/{id}/rotate", "post", "[{\"apiKey\":[\"apiauth:admin\"]}]");
            assertRequires(paths, "/api/api-keys/self", "get", "[{\"apiKey\":[]}]");
            assertEquals("#/components/schemas/ApiKeyCreated", paths.getJsonObject("/api/api-keys").getJsonObject("post")
                    .getJsonObject("responses").getJsonObject("201").getJsonObject("content").getJsonObject("application/json")
                    .getJsonObject("schema").getString("$ref"));
            assertNotNull(doc.getJsonObject("components").getJsonObject("schemas").getJsonObject("ApiKeyRequest"));

            assertEquals("composed: scheme seen, operations seen, management seen", doc.getJsonObject("info").getString("title"),
                    "the application's filter ran after the library's, and saw the operations the library added");
            assertFalse(response.body().contains(bootstrap) || response.body().contains(KeyHasher.unpeppered().hash(bootstrap)),
                    "never a key or a hash");

            // the document describes what the server does: the scheme really is the header named there
            assertEquals(401, new Http(new URL(payara.baseUrl())).get("api/iface-method/secret").status());
        }
    }

    /**
     * Payara adds its {@code /openapi} Jersey application to the servlet context of the application at the root context,
     * with that application's class loader, so Jersey applied the library's integration to it too and mounted the
     * management API a second time at {@code /openapi/api-keys} (failed before the fix: 200 with the admin key).
     */
    @Test
    void atTheRootContextTheManagementApiIsNotMountedInsidePayarasOpenApiApplication() throws Exception {
        String bootstrap = new KeyCodec("ops_").generate();
        Path dir = PayaraProcess.freshDir(Path.of(System.getProperty("apiauth.build", "target"), "openapi-root"));
        File war = dir.resolve("ROOT.war").toFile();
        Deployments.demoWith("ROOT.war", Map.of("apiauth.backend", "memory", "apiauth.management.enabled", "true",
                "apiauth.bootstrap.admin-key-hash", KeyHasher.unpeppered().hash(bootstrap),
                "apiauth.leak-alerts.github.enabled", "true")).as(ZipExporter.class).exportTo(war, true);
        try (PayaraProcess payara = PayaraProcess.startAtRoot(war, dir, "openapi-root.log")) {
            payara.awaitBoot();
            Http server = new Http(new URL("http://127.0.0.1:" + payara.port + "/"));
            Http.Response own = server.get("api/api-keys?ownerId=nobody", "X-API-Key", bootstrap);
            assertEquals(200, own.status(), "the application's own mount: " + own);
            assertEquals(200, server.get("openapi", "Accept", "application/json").status(), "Payara's document is still served");
            for (String path : new String[] {"openapi/api-keys?ownerId=nobody", "openapi/api-keys/self"}) {
                Http.Response inside = server.get(path, "X-API-Key", bootstrap);
                assertEquals(404, inside.status(), path + " must not exist: " + inside);
            }
            // GitHub's endpoint (POST only) sits under the management path: 404 inside /openapi, 400 or so where it is
            Http.Response alerts = server.post("openapi/api-keys/github-secret-scanning", "[]");
            assertEquals(404, alerts.status(), "no GitHub endpoint inside /openapi: " + alerts);
            assertTrue(server.post("api/api-keys/github-secret-scanning", "[]").status() != 404, "the application's own is there");
        }
    }

    private static void assertRequires(JsonObject paths, String path, String method, String security) {
        JsonObject operation = operation(paths, path, method);
        JsonArray actual = operation.getJsonArray("security");
        assertNotNull(actual, path + " " + method + " has no security requirement: " + operation);
        assertEquals(security, actual.toString(), path + " " + method);
        assertTrue(operation.getJsonObject("responses").containsKey("401"), path + " " + method + " documents 401");
    }

    private static void assertOpen(JsonObject paths, String path, String method) {
        JsonObject operation = operation(paths, path, method);
        assertNull(operation.get("security"), path + " " + method + " is open: " + operation);
        assertFalse(operation.getJsonObject("responses") != null && operation.getJsonObject("responses").containsKey("401"));
    }

    private static JsonObject operation(JsonObject paths, String path, String method) {
        JsonObject item = paths.getJsonObject(path);
        assertNotNull(item, path + " not in " + paths.keySet());
        JsonObject operation = item.getJsonObject(method);
        assertNotNull(operation, method + " " + path + " not in " + item);
        return operation;
    }
}
