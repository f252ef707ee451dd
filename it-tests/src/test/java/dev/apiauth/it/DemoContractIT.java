package dev.apiauth.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiauth.demo.build.Deployments;
import dev.apiauth.internal.KeyCodec;
import dev.apiauth.internal.KeyHasher;
import dev.apiauth.testing.GitHubSigner;
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

/**
 * The demo application on a real Payara Micro, memory backend, key in X-API-Key: the HTTP contract and the
 * management API end to end. The operator's bootstrap key (generated here, only its hash deployed) is the
 * first admin.
 */
@ExtendWith(ArquillianExtension.class)
class DemoContractIT {

    static final String BOOTSTRAP_KEY = new KeyCodec("ops_").generate();
    /** Plays GitHub: its public key is published in a file the server reads (a closed network's copy). */
    static final GitHubSigner GITHUB = new GitHubSigner();

    @Deployment(testable = false)
    static WebArchive deployment() throws java.io.IOException {
        java.nio.file.Path keys = java.nio.file.Files.createDirectories(java.nio.file.Path.of(System.getProperty("apiauth.build", "target"), "contract"))
                .resolve("github-keys.json").toAbsolutePath();
        GITHUB.publish(keys, "github-test-key");
        return Deployments.demoWith("contract.war", Map.of(
                "apiauth.leak-alerts.github.enabled", "true",
                "apiauth.leak-alerts.github.public-keys", keys.toUri().toString(),
                "apiauth.management.enabled", "true",
                "apiauth.usage.flush-interval", "1",
                "apiauth.bootstrap.admin-key-hash", KeyHasher.unpeppered().hash(BOOTSTRAP_KEY)), ExtraResource.class, PlainRolesResource.class, TableProbeResource.class);
    }

    @ArquillianResource
    URL url;

    Http http;

    @BeforeEach
    void client() {
        http = new Http(url);
    }

    private String[] admin() {
        return new String[] {"X-API-Key", BOOTSTRAP_KEY};
    }

    private static String[] key(String key) {
        return new String[] {"X-API-Key", key};
    }

    /** Creates a key through the management API; returns the response body. */
    private JsonObject create(String owner, String... scopes) {
        StringBuilder json = new StringBuilder("{\"name\":\"test key\",\"ownerId\":\"" + owner + "\",\"scopes\":[");
        for (int i = 0; i < scopes.length; i++) {
            json.append(i == 0 ? "" : ",").append('"').append(scopes[i]).append('"');
        }
        Http.Response response = http.post("api/api-keys", json.append("]}").toString(), admin());
        assertEquals(201, response.status(), response.toString());
        return response.json();
    }

    private static void assertProblem(Http.Response response, int status, String reason) {
        assertEquals(status, response.status(), response.toString());
        assertTrue(response.header("Content-Type").startsWith("application/problem+json"), response.toString());
        JsonObject body = response.json();
        assertEquals(status, body.getInt("status"));
        assertNotNull(body.getString("title"));
        if (reason != null) {
            assertEquals(reason, body.getString("reason"), response.toString());
        }
    }

    /**
     * Payara Micro starts afresh per deployment, so there the table must not exist at all; WildFly and Open Liberty keep
     * their default datasource across the deployments of a run, where another test's {@code jpa} application may have
     * created it: there this key must not be in it.
     */
    @Test
    void memoryBackendCreatesNoTable() {
        String owner = "owner-" + UUID.randomUUID();
        create(owner);
        Http.Response table = http.get("api/test-control/table");
        if (String.valueOf(System.getProperty("apiauth.server")).startsWith("payara")) {
            assertEquals(404, table.status(), "the memory backend must leave the default datasource alone: " + table);
        } else {
            assertTrue(table.status() == 404 || table.status() == 200 && !table.body().contains(owner),
                    "the memory backend must leave the default datasource alone: " + table);
        }
    }

    @Test
    void publicEndpointNeedsNoKey() {
        assertEquals(200, http.get("api/public").status());
    }

    @Test
    void requestsWithoutAValidKeyAreRefusedWithTheReason() {
        Http.Response missing = http.get("api/hello");
        assertProblem(missing, 401, "missing");
        assertEquals("ApiKey realm=\"api\", header=\"X-API-Key\"", missing.header("WWW-Authenticate"));

        String garbage = "ak_this-is-not-a-key";
        Http.Response malformed = http.get("api/hello", key(garbage));
        assertProblem(malformed, 401, "malformed");
        assertFalse(malformed.body().contains(garbage), "the presented key is never echoed");

        String unknownKey = new KeyCodec("ak_").generate();
        Http.Response unknown = http.get("api/hello", key(unknownKey));
        assertProblem(unknown, 401, "unknown");
        assertFalse(unknown.body().contains(unknownKey));
        assertNotNull(unknown.header("WWW-Authenticate"));
    }

    @Test
    void twoKeyHeadersAreMalformedNotAChoice() {
        String valid = create("owner-" + UUID.randomUUID(), "read").getString("key");
        assertProblem(http.get("api/hello", "X-API-Key", valid, "X-API-Key", valid), 401, "malformed");
    }

    @Test
    void createdKeyAuthenticatesItsOwnerAndIsInjectable() {
        String owner = "owner-" + UUID.randomUUID();
        JsonObject created = create(owner, "read");
        String plaintext = created.getString("key");
        assertTrue(plaintext.startsWith("ak_"));
        assertEquals(plaintext.substring(0, 7), created.getString("hint"));
        assertFalse(created.containsKey("keyHash"));

        Http.Response hello = http.get("api/hello", key(plaintext));
        assertEquals(200, hello.status(), hello.toString());
        JsonObject body = hello.json();
        assertEquals(owner, body.getString("ownerId"));
        assertEquals(created.getString("id"), body.getString("keyId"));
        assertEquals("test key", body.getString("keyName"), "ApiKey injected into the resource");
    }

    @Test
    void missingScopeIs403WithoutListingTheKeysScopes() {
        String plaintext = create("owner-" + UUID.randomUUID(), "secret-scope-name").getString("key");
        Http.Response forbidden = http.get("api/admin", key(plaintext));
        assertProblem(forbidden, 403, "insufficient-scope");
        assertFalse(forbidden.body().contains("secret-scope-name"));
        String adminKey = create("owner-" + UUID.randomUUID(), "admin").getString("key");
        assertEquals(200, http.get("api/admin", key(adminKey)).status());
    }

    @Test
    void methodAnnotationWinsOverClassAndAnyMatchWorks() {
        String plain = create("owner-" + UUID.randomUUID()).getString("key");
        assertProblem(http.get("api/extra/class-level", key(plain)), 403, "insufficient-scope");
        assertEquals(200, http.get("api/extra/method-wins", key(plain)).status());
        String classScoped = create("owner-" + UUID.randomUUID(), "class-scope").getString("key");
        assertEquals(200, http.get("api/extra/class-level", key(classScoped)).status());
        assertProblem(http.get("api/extra/any", key(plain)), 403, "insufficient-scope");
        assertEquals(200, http.get("api/extra/any", key(create("o-" + UUID.randomUUID(), "orders:admin").getString("key"))).status());
    }

    @Test
    void rolesAllowedIsAnsweredFromScopes() {
        String auditor = create("auditor-" + UUID.randomUUID(), "auditor").getString("key");
        Http.Response plain = http.get("api/plain/reports", key(auditor));
        assertEquals(200, plain.status(), plain.toString());
        assertProblem(http.get("api/plain/reports", key(create("o-" + UUID.randomUUID(), "read").getString("key"))), 403, "insufficient-scope");
        Http.Response ok = http.get("api/extra/reports", key(auditor));
        assertEquals(200, ok.status(), ok.toString());
        assertTrue(ok.body().endsWith("auditor=true"), ok.body());
        String other = create("other-" + UUID.randomUUID(), "read").getString("key");
        assertProblem(http.get("api/extra/reports", key(other)), 403, "insufficient-scope");
    }

    @Test
    void managementLifecycleCreateListRevokeRotateDelete() {
        String owner = "lifecycle-" + UUID.randomUUID();
        JsonObject first = create(owner, "read");
        JsonObject second = create(owner, "read", "write");

        Http.Response list = http.get("api/api-keys?ownerId=" + owner, admin());
        assertEquals(200, list.status(), list.toString());
        assertEquals(2, list.json().getInt("total"));
        assertEquals(second.getString("id"), list.json().getJsonArray("items").getJsonObject(0).getString("id"), "newest first");
        assertFalse(list.body().contains(first.getString("key")) || list.body().contains(second.getString("key")),
                "listing never shows a plaintext key");
        assertFalse(list.body().contains("keyHash"));
        Http.Response page = http.get("api/api-keys?ownerId=" + owner + "&limit=1&offset=1", admin());
        assertEquals(1, page.json().getJsonArray("items").size());
        assertEquals(first.getString("id"), page.json().getJsonArray("items").getJsonObject(0).getString("id"));

        Http.Response one = http.get("api/api-keys/" + first.getString("id"), admin());
        assertEquals(200, one.status());
        assertEquals(owner, one.json().getString("ownerId"));
        assertTrue(one.json().getBoolean("active"));
        assertProblem(http.get("api/api-keys/" + UUID.randomUUID(), admin()), 404, null);
        assertProblem(http.get("api/api-keys/not-a-uuid", admin()), 404, null);

        // revoke: refused on the very next request
        String firstKey = first.getString("key");
        assertEquals(200, http.get("api/hello", key(firstKey)).status());
        assertEquals(204, http.post("api/api-keys/" + first.getString("id") + "/revoke", null, admin()).status());
        assertProblem(http.get("api/hello", key(firstKey)), 401, "revoked");
        assertFalse(http.get("api/api-keys/" + first.getString("id"), admin()).json().getBoolean("active"));

        // rotate with grace: both work; the new one is returned once, with its Location
        String secondKey = second.getString("key");
        Http.Response rotated = http.post("api/api-keys/" + second.getString("id") + "/rotate", "{\"gracePeriod\":\"PT1H\"}", admin());
        assertEquals(201, rotated.status(), rotated.toString());
        String newKey = rotated.json().getString("key");
        String newId = rotated.json().getString("id");
        assertNotEquals(secondKey, newKey);
        assertTrue(rotated.header("Location").endsWith("/api/api-keys/" + newId), rotated.header("Location"));
        assertEquals("no-store", rotated.header("Cache-Control"));
        assertEquals(200, http.get("api/hello", key(secondKey)).status(), "old key works during the grace period");
        assertEquals(200, http.get("api/hello", key(newKey)).status());
        JsonValue oldExpiry = http.get("api/api-keys/" + second.getString("id"), admin()).json().get("expiresAt");
        assertEquals(JsonValue.ValueType.STRING, oldExpiry.getValueType(), "grace end recorded as the old key's expiry");

        // rotate without grace: the old key stops at once
        Http.Response immediate = http.post("api/api-keys/" + newId + "/rotate", null, admin());
        assertEquals(201, immediate.status(), immediate.toString());
        assertProblem(http.get("api/hello", key(newKey)), 401, "revoked");
        assertProblem(http.post("api/api-keys/" + newId + "/rotate", null, admin()), 409, null);

        // delete: unknown afterwards; deleting again is fine
        String newest = immediate.json().getString("key");
        String newestId = immediate.json().getString("id");
        assertEquals(204, http.delete("api/api-keys/" + newestId, admin()).status());
        assertProblem(http.get("api/hello", key(newest)), 401, "unknown");
        assertEquals(204, http.delete("api/api-keys/" + newestId, admin()).status());
        assertProblem(http.post("api/api-keys/" + UUID.randomUUID() + "/revoke", null, admin()), 404, null);
    }

    @Test
    void badManagementRequestsAre400AndStoreNothing() {
        String owner = "bad-" + UUID.randomUUID();
        String[] bodies = {
            "{not json",
            "[1,2]",
            "{\"name\":\"\",\"ownerId\":\"" + owner + "\"}",
            "{\"name\":\"x\",\"ownerId\":\"" + owner + "\",\"scopes\":[\" \"]}",
            "{\"name\":\"x\",\"ownerId\":\"" + owner + "\",\"scopes\":\"read\"}",
            "{\"name\":\"x\",\"ownerId\":\"" + owner + "\",\"scopes\":[1]}",
            "{\"name\":42,\"ownerId\":\"" + owner + "\"}",
            "{\"name\":\"x\",\"ownerId\":\"" + owner + "\",\"expiresAt\":\"2001-01-01T00:00:00Z\"}",
            "{\"name\":\"x\",\"ownerId\":\"" + owner + "\",\"expiresAt\":\"tomorrow\"}",
            "{\"name\":\"x\",\"ownerId\":\"" + owner + "\",\"metadata\":{\"a\":1}}",
            "{\"name\":\"x\",\"ownerId\":\"" + owner + "\",\"scope\":[\"read\"]}",
            "",
        };
        for (String body : bodies) {
            Http.Response response = http.post("api/api-keys", body, admin());
            assertProblem(response, 400, null);
            assertFalse(response.json().getString("detail").isBlank(), body);
        }
        assertProblem(http.get("api/api-keys", admin()), 400, null);
        assertProblem(http.get("api/api-keys?ownerId=x&limit=abc", admin()), 400, null);
        assertProblem(http.get("api/api-keys?ownerId=x&limit=0", admin()), 400, null);
        assertProblem(http.post("api/api-keys/" + UUID.randomUUID() + "/rotate", "{\"gracePeriod\":\"forever\"}", admin()), 400, null);
        assertEquals(0, http.get("api/api-keys?ownerId=" + owner, admin()).json().getInt("total"), "nothing stored");
    }

    @Test
    void theManagementApiIsMountedInTheApplicationOnlyNotInTheServersOwnJaxRsApplications() {
        assertEquals(200, http.get("api/api-keys?ownerId=x", admin()).status());
        for (String other : new String[] {"/openapi/api-keys?ownerId=x", "/health/api-keys?ownerId=x", "/metrics/api-keys?ownerId=x"}) {
            Http.Response response = http.get(other, admin());
            assertFalse(response.body().contains("\"items\"") || response.body().contains("urn:apiauth"),
                    other + " must not serve the management API: " + response);
        }
    }

    @Test
    void theBootstrapKeyOpensTheManagementApiAndNothingElse() {
        assertEquals(200, http.get("api/api-keys?ownerId=x", admin()).status());
        assertProblem(http.get("api/hello", admin()), 401, "unknown");
        assertProblem(http.get("api/extra/method-wins", admin()), 401, "unknown");
    }

    @Test
    void managementInputIsBounded() {
        String owner = "bounds-" + UUID.randomUUID();
        Http.Response huge = http.post("api/api-keys", "{\"name\":\"" + "x".repeat(70_000) + "\",\"ownerId\":\"" + owner + "\"}", admin());
        assertProblem(huge, 413, null);
        StringBuilder scopes = new StringBuilder();
        for (int i = 0; i < 65; i++) {
            scopes.append(i == 0 ? "" : ",").append("\"s").append(i).append('"');
        }
        StringBuilder metadata = new StringBuilder();
        for (int i = 0; i < 33; i++) {
            metadata.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":\"v\"");
        }
        String[] bodies = {
            "{\"name\":\"x\",\"ownerId\":\"" + owner + "\",\"scopes\":[" + scopes + "]}",
            "{\"name\":\"x\",\"ownerId\":\"" + owner + "\",\"metadata\":{" + metadata + "}}",
            "{\"name\":\"x\",\"ownerId\":\"" + owner + "\",\"expiresAt\":\"+999999999-12-31T23:59:59Z\"}",
            "{\"name\":\"x\",\"ownerId\":\"" + owner + "\",\"expiresAt\":\"9999-12-31T23:59:59Z\"}",
            "{\"name\":\"x\",\"ownerId\":\" " + owner + "\"}",
            "{\"name\":\"x\",\"ownerId\":\"" + owner + "\\t\"}",
            "{\"name\":\"x\\u0000\",\"ownerId\":\"" + owner + "\"}",
            "{\"name\":\"" + "n".repeat(257) + "\",\"ownerId\":\"" + owner + "\"}",
        };
        for (String body : bodies) {
            assertProblem(http.post("api/api-keys", body, admin()), 400, null);
        }
        String id = create(owner).getString("id");
        for (String grace : new String[] {"P99999999D", "PT99999999999999999H", "-PT1S", "P400D", "99999999999999999999"}) {
            Http.Response rotate = http.post("api/api-keys/" + id + "/rotate", "{\"gracePeriod\":\"" + grace + "\"}", admin());
            assertProblem(rotate, 400, null);
        }
        assertEquals(1, http.get("api/api-keys?ownerId=" + owner, admin()).json().getInt("total"), "no successor was issued");
        Http.Response notAnId = http.get("api/api-keys/" + BOOTSTRAP_KEY, admin());
        assertProblem(notAnId, 404, null);
        assertFalse(notAnId.body().contains(BOOTSTRAP_KEY), "a key pasted as an id is not echoed");
    }

    @Test
    void managementNeedsTheAdminScope() {
        assertProblem(http.get("api/api-keys?ownerId=x"), 401, "missing");
        String notAdmin = create("owner-" + UUID.randomUUID(), "admin", "read").getString("key");
        assertProblem(http.get("api/api-keys?ownerId=x", key(notAdmin)), 403, "insufficient-scope");
        String admin = create("owner-" + UUID.randomUUID(), "apiauth:admin").getString("key");
        assertEquals(200, http.get("api/api-keys?ownerId=x", key(admin)).status());
    }

    /** Any valid key reads its own record at /self, and nothing else: no admin scope needed, no other key shown. */
    @Test
    void aKeyReadsItsOwnRecordAtSelfWithoutTheAdminScope() {
        JsonObject created = create("self-" + UUID.randomUUID(), "orders:read");
        Http.Response self = http.get("api/api-keys/self", key(created.getString("key")));
        assertEquals(200, self.status(), self.toString());
        assertEquals(created.getString("id"), self.json().getString("id"));
        assertEquals("orders:read", self.json().getJsonArray("scopes").getString(0));
        assertFalse(self.json().containsKey("key"), "the plaintext is never returned again");
        assertFalse(self.json().containsKey("ownerId") || self.json().containsKey("metadata") || self.json().containsKey("name"),
                "the operator's fields stay the operator's");
        assertTrue(self.header("Cache-Control").contains("no-store"));
        assertProblem(http.get("api/api-keys/self"), 401, "missing");
        assertProblem(http.get("api/api-keys/self", admin()), 401, "unknown"); // the bootstrap key has no record
        assertEquals(204, http.post("api/api-keys/" + created.getString("id") + "/revoke", null, admin()).status());
        assertProblem(http.get("api/api-keys/self", key(created.getString("key"))), 401, "revoked");
        String other = create("self-" + UUID.randomUUID()).getString("key");
        assertProblem(http.get("api/api-keys?ownerId=x", key(other)), 403, "insufficient-scope");
        assertProblem(http.get("api/api-keys/" + created.getString("id"), key(other)), 403, "insufficient-scope");
    }

    @Test
    void listingFiltersKeysExpiringSoonAndKeysNotUsedLately() {
        String owner = "hygiene-" + UUID.randomUUID();
        Http.Response soon = http.post("api/api-keys", "{\"name\":\"soon\",\"ownerId\":\"" + owner + "\",\"expiresAt\":\""
                + java.time.Instant.now().plus(java.time.Duration.ofDays(2)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + "\"}", admin());
        assertEquals(201, soon.status(), soon.toString());
        JsonObject never = create(owner);
        JsonObject used = create(owner);
        assertEquals(200, http.get("api/hello", key(used.getString("key"))).status());
        String inAWeek = java.time.Instant.now().plus(java.time.Duration.ofDays(7)).toString();
        JsonObject expiring = http.get("api/api-keys?ownerId=" + owner + "&expiringBefore=" + inAWeek, admin()).json();
        assertEquals(1, expiring.getInt("total"));
        assertEquals(soon.json().getString("id"), expiring.getJsonArray("items").getJsonObject(0).getString("id"));
        String tomorrow = java.time.Instant.now().plus(java.time.Duration.ofDays(1)).toString();
        assertEquals(3, http.get("api/api-keys?ownerId=" + owner + "&unusedSince=" + tomorrow, admin()).json().getInt("total"));
        String anHourAgo = java.time.Instant.now().minus(java.time.Duration.ofHours(1)).toString();
        assertEquals(0, http.get("api/api-keys?ownerId=" + owner + "&unusedSince=" + anHourAgo, admin()).json().getInt("total"),
                "every key was created or used within the hour");
        assertProblem(http.get("api/api-keys?ownerId=" + owner + "&unusedSince=yesterday", admin()), 400, null);
        assertProblem(http.get("api/api-keys?ownerId=" + owner + "&expiringBefore=2026-13-01", admin()), 400, null);
        assertNotNull(never.getString("id"));
    }

    /** A leaked key reported by (a stand-in for) GitHub is refused from the next request on; a forged report changes nothing. */
    @Test
    void aSignedGitHubAlertRevokesTheLeakedKeyAndAForgedOneDoesNot() throws Exception {
        JsonObject leaked = create("leak-" + UUID.randomUUID());
        JsonObject safe = create("leak-" + UUID.randomUUID());
        byte[] forged = GitHubSigner.alert(safe.getString("key"));
        java.net.http.HttpResponse<String> refused = postAlert(forged, new GitHubSigner().sign(forged));
        assertEquals(401, refused.statusCode(), refused.body());
        assertEquals(200, http.get("api/hello", key(safe.getString("key"))).status(), "a forged alert revokes nothing");
        byte[] alert = GitHubSigner.alert(leaked.getString("key"));
        java.net.http.HttpResponse<String> accepted = postAlert(alert, GITHUB.sign(alert));
        assertEquals(200, accepted.statusCode(), accepted.body());
        assertTrue(accepted.body().contains("\"label\":\"true_positive\""), accepted.body());
        assertFalse(accepted.body().contains(leaked.getString("key")), "the token is never echoed");
        assertProblem(http.get("api/hello", key(leaked.getString("key"))), 401, "revoked");
        assertEquals(200, http.get("api/hello", key(safe.getString("key"))).status());
    }

    private java.net.http.HttpResponse<String> postAlert(byte[] body, String signature) throws Exception {
        return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(http.uri("api/api-keys/github-secret-scanning"))
                .header("Content-Type", "application/json").header("Github-Public-Key-Identifier", "github-test-key")
                .header("Github-Public-Key-Signature", signature).POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(body))
                .timeout(java.time.Duration.ofSeconds(30)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void lastUsedAtIsRecordedByTheBackgroundFlush() throws InterruptedException {
        JsonObject created = create("usage-" + UUID.randomUUID());
        String id = created.getString("id");
        for (int i = 0; i < 20; i++) {
            assertEquals(200, http.get("api/hello", key(created.getString("key"))).status());
        }
        JsonValue lastUsed = JsonValue.NULL;
        for (int attempt = 0; attempt < 50 && lastUsed.getValueType() == JsonValue.ValueType.NULL; attempt++) {
            Thread.sleep(200);
            lastUsed = http.get("api/api-keys/" + id, admin()).json().get("lastUsedAt");
        }
        assertEquals(JsonValue.ValueType.STRING, lastUsed.getValueType(), "lastUsedAt written within 10 s at a 1 s flush interval");
    }
}
