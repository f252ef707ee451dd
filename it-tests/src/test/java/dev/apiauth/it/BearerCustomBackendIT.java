package dev.apiauth.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiauth.demo.build.Deployments;
import java.net.URL;
import java.util.Map;
import java.util.UUID;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The demo with the key in {@code Authorization: Bearer}, an application's own {@code @Named} backend chosen by
 * {@code apiauth.backend}, and the management API left disabled. The backend is broken on demand: 503, never 200.
 */
@ExtendWith(ArquillianExtension.class)
class BearerCustomBackendIT {

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.demoWith("bearer.war", Map.of(
                "apiauth.backend", "flaky",
                "apiauth.scheme", "Bearer",
                "apiauth.key-prefix", "test_"), FlakyBackend.class, TestControlResource.class);
    }

    @ArquillianResource
    URL url;

    Http http;

    @BeforeEach
    void client() {
        http = new Http(url);
    }

    @AfterEach
    void heal() {
        http.post("api/test-control/failing?on=false", null);
    }

    private String issue(String... scopes) {
        return http.issueKey("bearer-" + UUID.randomUUID(), scopes);
    }

    @Test
    void bearerKeyAuthenticatesThroughTheNamedBackend() {
        String key = issue();
        assertTrue(key.startsWith("test_"), "apiauth.key-prefix honoured");
        int before = Integer.parseInt(http.get("api/test-control/lookups").body());
        Http.Response ok = http.get("api/hello", "Authorization", "Bearer " + key);
        assertEquals(200, ok.status(), ok.toString());
        assertEquals(before + 1, Integer.parseInt(http.get("api/test-control/lookups").body()), "one lookup, in the named backend");
        assertEquals(200, http.get("api/hello", "Authorization", "bearer " + key).status(), "scheme is case-insensitive");
    }

    @Test
    void keyInTheWrongPlaceIsMissing() {
        String key = issue();
        Http.Response header = http.get("api/hello", "X-API-Key", key);
        assertEquals(401, header.status());
        assertEquals("Bearer realm=\"api\"", header.header("WWW-Authenticate"));
        assertEquals("missing", header.json().getString("reason"));
        assertEquals(401, http.get("api/hello", "Authorization", "Basic " + key).status());
    }

    @Test
    void bearerChallengesFollowRfc6750() {
        Http.Response invalid = http.get("api/hello", "Authorization", "Bearer nonsense");
        assertEquals(401, invalid.status());
        assertTrue(invalid.header("WWW-Authenticate").startsWith("Bearer realm=\"api\", error=\"invalid_token\""),
                invalid.header("WWW-Authenticate"));
        Http.Response forbidden = http.get("api/admin", "Authorization", "Bearer " + issue("read"));
        assertEquals(403, forbidden.status());
        assertEquals("Bearer realm=\"api\", error=\"insufficient_scope\"", forbidden.header("WWW-Authenticate"));
    }

    @Test
    void failingBackendGives503WithRetryAfterAndRecovers() {
        String key = issue();
        assertEquals(200, http.get("api/hello", "Authorization", "Bearer " + key).status());
        http.post("api/test-control/failing?on=true", null);
        for (int i = 0; i < 5; i++) {
            Http.Response down = http.get("api/hello", "Authorization", "Bearer " + key);
            assertEquals(503, down.status(), down.toString());
            assertEquals("5", down.header("Retry-After"));
            assertTrue(down.header("Content-Type").startsWith("application/problem+json"));
            assertEquals("backend-unavailable", down.json().getString("reason"));
        }
        assertEquals(401, http.get("api/hello", "Authorization", "Bearer nonsense").status(),
                "malformed keys are still refused without the backend");
        http.post("api/test-control/failing?on=false", null);
        assertEquals(200, http.get("api/hello", "Authorization", "Bearer " + key).status());
    }

    @Test
    void managementApiIsOffByDefault() {
        String key = issue("apiauth:admin");
        assertEquals(404, http.get("api/api-keys?ownerId=x", "Authorization", "Bearer " + key).status());
        assertEquals(404, http.post("api/api-keys", "{}", "Authorization", "Bearer " + key).status());
        assertEquals(404, http.get("api/api-keys/" + UUID.randomUUID(), "Authorization", "Bearer " + key).status());
    }
}
