package dev.apiauth.jaxrs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiauth.ApiKeyService;
import dev.apiauth.GeneratedKey;
import dev.apiauth.KeyRequest;
import dev.apiauth.ScopeRequirement;
import dev.apiauth.ValidationResult.Outcome;
import dev.apiauth.backend.memory.MemoryBackend;
import dev.apiauth.internal.KeyCodec;
import dev.apiauth.testing.GitHubSigner;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GitHub secret-scanning alerts, offline: GitHub's signing key is an ECDSA P-256 pair generated here, published in a
 * file in GitHub's JSON format. A signed alert revokes our key; a forged, tampered or unsigned one changes nothing.
 */
class GitHubLeakAlertsTest {

    @TempDir
    Path dir;

    private final ApiKeyService service = ApiKeyService.builder(new MemoryBackend()).usageTracking(false, null).build();
    private final AtomicLong ticker = new AtomicLong();
    private final GitHubSigner github = new GitHubSigner();
    private Path keysFile;
    private GitHubLeakAlerts alerts;

    @BeforeEach
    void publishGitHubsKey() throws Exception {
        keysFile = dir.resolve("secret_scanning.json");
        github.publish(keysFile, "github-key-1");
        alerts = new GitHubLeakAlerts(service, keysFile.toUri().toString(), ticker::get);
    }

    @AfterEach
    void close() {
        service.close();
    }

    private Outcome check(GeneratedKey key) {
        return service.validator().validate(key.plaintext(), ScopeRequirement.ANY_KEY).outcome();
    }

    @Test
    void aSignedAlertRevokesOurKeyAndAnswersAsGitHubExpects() throws Exception {
        GeneratedKey leaked = service.create(KeyRequest.of("ci", "team-1"));
        GeneratedKey bystander = service.create(KeyRequest.of("other", "team-1"));
        String notOurs = new KeyCodec("ak_").generate();
        byte[] body = GitHubSigner.alert(leaked.plaintext(), notOurs, "ghp_00000000000000000000000000000004WZ4EQ");
        GitHubLeakAlerts.Answer answer = alerts.handle(body, "github-key-1", github.sign(body));
        assertEquals(200, answer.status(), answer.json());
        JsonArray labels = Json.createReader(new StringReader(answer.json())).readArray();
        assertEquals(3, labels.size());
        JsonObject first = labels.getJsonObject(0);
        assertEquals(GitHubLeakAlerts.sha256(leaked.plaintext()), first.getString("token_hash"));
        assertEquals(64, first.getString("token_hash").length());
        assertEquals("jakarta_api_auth_key", first.getString("token_type"));
        assertEquals("true_positive", first.getString("label"));
        assertEquals("false_positive", labels.getJsonObject(1).getString("label"));
        assertEquals("false_positive", labels.getJsonObject(2).getString("label"));
        assertFalse(answer.json().contains(leaked.plaintext()), "the token is never echoed");
        assertEquals(Outcome.REVOKED, check(leaked), "the next request with the leaked key is refused");
        assertEquals(Outcome.VALID, check(bystander), "nothing else touched");
        GitHubLeakAlerts.Answer again = alerts.handle(body, "github-key-1", github.sign(body));
        assertEquals(200, again.status(), "GitHub's retry of the same alert");
        assertTrue(again.json().contains("true_positive"));
        assertEquals(Outcome.REVOKED, check(leaked));
    }

    @Test
    void forgedTamperedOrUnsignedAlertsChangeNothing() throws Exception {
        GeneratedKey key = service.create(KeyRequest.of("ci", "team-1"));
        byte[] body = GitHubSigner.alert(key.plaintext());
        GitHubSigner attacker = new GitHubSigner();
        assertEquals(401, alerts.handle(body, "github-key-1", attacker.sign(body)).status(), "signed by another key");
        byte[] other = GitHubSigner.alert(new KeyCodec("ak_").generate());
        assertEquals(401, alerts.handle(body, "github-key-1", github.sign(other)).status(), "a signature of another body");
        assertEquals(401, alerts.handle(body, "unknown-key", github.sign(body)).status(), "an identifier GitHub never published");
        assertEquals(401, alerts.handle(body, null, null).status(), "unsigned");
        assertEquals(401, alerts.handle(body, "github-key-1", "not base64 at all!").status());
        assertEquals(401, alerts.handle(body, "github-key-1", Base64.getEncoder().encodeToString(new byte[] {1, 2, 3})).status());
        assertEquals(Outcome.VALID, check(key), "still valid: nothing was revoked");
        byte[] junk = "{not json".getBytes(StandardCharsets.UTF_8);
        assertEquals(400, alerts.handle(junk, "github-key-1", github.sign(junk)).status(), "signed but not an alert list");
        byte[] wrongShape = "[{\"token\": 42, \"type\": \"x\"}]".getBytes(StandardCharsets.UTF_8);
        assertEquals(400, alerts.handle(wrongShape, "github-key-1", github.sign(wrongShape)).status());
        assertEquals(Outcome.VALID, check(key));
    }

    /** GitHub rotates its key: an unknown identifier reloads the keys, at most once a minute (injected ticker). */
    @Test
    void aRotatedGitHubKeyIsPickedUpAtMostOnceAMinute() throws Exception {
        GeneratedKey key = service.create(KeyRequest.of("ci", "team-1"));
        byte[] warmUp = GitHubSigner.alert(new KeyCodec("ak_").generate());
        assertEquals(200, alerts.handle(warmUp, "github-key-1", github.sign(warmUp)).status(), "keys loaded");
        GitHubSigner rotated = new GitHubSigner();
        rotated.publish(keysFile, "github-key-2");
        byte[] body = GitHubSigner.alert(key.plaintext());
        ticker.addAndGet(Duration.ofSeconds(30).toNanos());
        assertEquals(401, alerts.handle(body, "github-key-2", rotated.sign(body)).status(), "not reloaded within the minute");
        ticker.addAndGet(Duration.ofSeconds(31).toNanos());
        assertEquals(200, alerts.handle(body, "github-key-2", rotated.sign(body)).status(), "reloaded after it");
        assertEquals(Outcome.REVOKED, check(key));
        assertEquals(401, alerts.handle(warmUp, "github-key-1", github.sign(warmUp)).status(), "the withdrawn key is no longer accepted");
    }

    @Test
    void theKeysSourceMustBeHttpsOrAFile() {
        for (String bad : new String[] {"http://api.github.com/meta/public_keys/secret_scanning", "github", "ftp://x"}) {
            var e = org.junit.jupiter.api.Assertions.assertThrows(dev.apiauth.ApiAuthConfigurationException.class,
                    () -> dev.apiauth.ApiAuthConfig.from(k -> k.equals("apiauth.leak-alerts.github.public-keys")
                            ? java.util.Optional.of(bad) : java.util.Optional.empty()));
            assertTrue(e.getMessage().contains("apiauth.leak-alerts.github.public-keys=" + bad + " is invalid"), e.getMessage());
        }
    }
}
