package dev.apiauth.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiauth.demo.build.Deployments;
import dev.apiauth.internal.KeyCodec;
import dev.apiauth.internal.KeyHasher;
import jakarta.json.JsonObject;
import java.net.URL;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The audit trail on Payara Micro: an application bean observes, as CDI events, every management action (with the
 * acting key) and every refusal (with its reason, the key when known, the path and the client's address).
 */
@ExtendWith(ArquillianExtension.class)
class AuditIT {

    static final String BOOTSTRAP = new KeyCodec("ops_").generate();

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.demoWith("audit.war", Map.of(
                "apiauth.management.enabled", "true",
                "apiauth.bootstrap.admin-key-hash", KeyHasher.unpeppered().hash(BOOTSTRAP)), AuditProbe.class);
    }

    @ArquillianResource
    URL url;

    @Test
    void everyManagementActionAndRefusalIsObservedByTheApplication() throws Exception {
        Http http = new Http(url);
        JsonObject admin = http.post("api/api-keys", "{\"name\":\"ops\",\"ownerId\":\"ops\",\"scopes\":[\"apiauth:admin\"]}",
                "X-API-Key", BOOTSTRAP).json();
        String adminKey = admin.getString("key");
        String adminId = admin.getString("id");
        JsonObject user = http.post("api/api-keys", "{\"name\":\"u\",\"ownerId\":\"audited\"}", "X-API-Key", adminKey).json();
        String userId = user.getString("id");
        assertEquals(200, http.patch("api/api-keys/" + userId, "{\"rateLimit\":{\"requests\":1,\"per\":\"PT1H\"}}", "X-API-Key", adminKey).status());
        assertEquals(200, http.get("api/hello", "X-API-Key", user.getString("key")).status());
        assertEquals(429, http.get("api/hello", "X-API-Key", user.getString("key")).status());
        JsonObject successor = http.post("api/api-keys/" + userId + "/rotate", null, "X-API-Key", adminKey).json();
        assertEquals(401, http.get("api/hello", "X-API-Key", user.getString("key")).status());
        assertEquals(204, http.post("api/api-keys/" + successor.getString("id") + "/revoke", null, "X-API-Key", adminKey).status());
        assertEquals(204, http.delete("api/api-keys/" + userId, "X-API-Key", adminKey).status());
        assertEquals(401, http.get("api/hello").status());
        assertEquals(401, http.get("api/hello", "X-API-Key", "not-a-key").status());

        List<String> seen = awaitSeen(http, lines -> lines.stream().filter(l -> l.startsWith("refused")).count() >= 4
                && lines.stream().filter(l -> l.startsWith("async")).count() >= 7); // the demo creates a key of its own at startup
        String all = String.join("\n", seen);
        assertTrue(seen.contains("sync CREATED " + adminId + " ops null null bootstrap-key"), all);
        assertTrue(seen.contains("sync CREATED " + userId + " audited null " + adminId + " management-api"), all);
        assertTrue(seen.contains("sync UPDATED " + userId + " audited null " + adminId + " management-api"), all);
        assertTrue(seen.contains("sync ROTATED " + userId + " audited " + successor.getString("id") + " " + adminId + " management-api"), all);
        assertTrue(seen.contains("sync REVOKED " + successor.getString("id") + " audited null " + adminId + " management-api"), all);
        assertTrue(seen.contains("sync DELETED " + userId + " audited null " + adminId + " management-api"), all);
        for (String async : new String[] {"CREATED " + adminId, "CREATED " + userId, "UPDATED " + userId, "ROTATED " + userId,
                "REVOKED " + successor.getString("id"), "DELETED " + userId}) {
            assertTrue(seen.contains("async " + async), "@ObservesAsync saw " + async + ": " + all);
        }
        assertTrue(seen.contains("refused rate-limited " + userId + " GET /hello 127.0.0.1"), all);
        assertTrue(seen.contains("refused revoked " + userId + " GET /hello 127.0.0.1"), all);
        assertTrue(seen.contains("refused missing null GET /hello 127.0.0.1"), all);
        assertTrue(seen.contains("refused malformed null GET /hello 127.0.0.1"), all);
        assertFalse(all.contains(user.getString("key")) || all.contains(adminKey) || all.contains(BOOTSTRAP), "never a key");
    }

    private static List<String> awaitSeen(Http http, Predicate<List<String>> done) throws InterruptedException {
        List<String> lines = List.of();
        for (int i = 0; i < 100; i++) {
            lines = Arrays.asList(http.get("api/audit-probe").body().split("\n"));
            if (done.test(lines)) {
                return lines;
            }
            Thread.sleep(50);
        }
        return lines;
    }
}
