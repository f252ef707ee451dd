package dev.apiauth.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiauth.demo.build.Deployments;
import dev.apiauth.internal.KeyCodec;
import dev.apiauth.internal.KeyHasher;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.net.URL;
import java.util.Map;
import java.util.UUID;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The demo on {@code apiauth.backend=jpa} with nothing else configured: Payara Micro's default datasource (H2). */
@ExtendWith(ArquillianExtension.class)
class JpaDefaultDataSourceIT {

    static final String BOOTSTRAP_KEY = new KeyCodec("ops_").generate();

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.demoWith("jpa-default.war", Map.of(
                "apiauth.backend", "jpa",
                "apiauth.management.enabled", "true",
                "apiauth.usage.flush-interval", "1",
                "apiauth.bootstrap.admin-key-hash", KeyHasher.unpeppered().hash(BOOTSTRAP_KEY)), TableProbeResource.class);
    }

    @ArquillianResource
    URL url;

    Http http;

    @BeforeEach
    void client() {
        http = new Http(url);
    }

    private JsonObject create(String owner, String scopes) {
        Http.Response created = http.post("api/api-keys", "{\"name\":\"jpa key\",\"ownerId\":\"" + owner + "\",\"scopes\":[" + scopes
                + "],\"metadata\":{\"team\":\"payments & billing\"}}", "X-API-Key", BOOTSTRAP_KEY);
        assertEquals(201, created.status(), created.toString());
        return created.json();
    }

    @Test
    void createUseRevokeOnTheDefaultDatasource() {
        String owner = "jpa-" + UUID.randomUUID();
        JsonObject created = create(owner, "\"read\"");
        String key = created.getString("key");
        Http.Response hello = http.get("api/hello", "X-API-Key", key);
        assertEquals(200, hello.status(), hello.toString());
        assertEquals(owner, hello.json().getString("ownerId"));
        Http.Response one = http.get("api/api-keys/" + created.getString("id"), "X-API-Key", BOOTSTRAP_KEY);
        assertEquals("payments & billing", one.json().getJsonObject("metadata").getString("team"));
        assertEquals(204, http.post("api/api-keys/" + created.getString("id") + "/revoke", null, "X-API-Key", BOOTSTRAP_KEY).status());
        Http.Response revoked = http.get("api/hello", "X-API-Key", key);
        assertEquals(401, revoked.status());
        assertEquals("revoked", revoked.json().getString("reason"));
    }

    @Test
    void tableHoldsHashesAndRealTimestampsButNoPlaintext() {
        String first = create("scan-" + UUID.randomUUID(), "\"read\",\"write\"").getString("key");
        String second = create("scan-" + UUID.randomUUID(), "").getString("key");
        assertEquals(200, http.get("api/hello", "X-API-Key", second).status());
        Http.Response table = http.get("api/test-control/table");
        assertEquals(200, table.status(), table.toString());
        String rows = table.body();
        for (String plaintext : new String[] {first, second, BOOTSTRAP_KEY}) {
            assertFalse(rows.contains(plaintext), "a plaintext key is stored");
            assertFalse(rows.contains(plaintext.substring(plaintext.indexOf('_') + 5, plaintext.length() - 6)), "a key's secret is stored");
        }
        assertTrue(rows.contains(KeyHasher.unpeppered().hash(first)), "rows are found by the key's hash");
        assertTrue(rows.toUpperCase().matches("(?s).*CREATED_AT=\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d.*"),
                "created_at is a SQL timestamp, not a serialised blob: " + rows);
    }

    @Test
    void lastUsedAtIsFlushedToTheDatabase() throws InterruptedException {
        JsonObject created = create("usage-" + UUID.randomUUID(), "");
        for (int i = 0; i < 10; i++) {
            assertEquals(200, http.get("api/hello", "X-API-Key", created.getString("key")).status());
        }
        JsonValue lastUsed = JsonValue.NULL;
        for (int attempt = 0; attempt < 50 && lastUsed.getValueType() == JsonValue.ValueType.NULL; attempt++) {
            Thread.sleep(200);
            lastUsed = http.get("api/api-keys/" + created.getString("id"), "X-API-Key", BOOTSTRAP_KEY).json().get("lastUsedAt");
        }
        assertEquals(JsonValue.ValueType.STRING, lastUsed.getValueType());
    }
}
