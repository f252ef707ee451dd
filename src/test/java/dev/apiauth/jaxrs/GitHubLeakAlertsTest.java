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

    /** GitHub rotates its key: an unknown identifier reloads the keys, at most once in ten minutes (injected ticker). */
    @Test
    void aRotatedGitHubKeyIsPickedUpAtMostOnceAMinute() throws Exception {
        GeneratedKey key = service.create(KeyRequest.of("ci", "team-1"));
        byte[] warmUp = GitHubSigner.alert(new KeyCodec("ak_").generate());
        assertEquals(200, alerts.handle(warmUp, "github-key-1", github.sign(warmUp)).status(), "keys loaded");
        GitHubSigner rotated = new GitHubSigner();
        rotated.publish(keysFile, "github-key-2");
        byte[] body = GitHubSigner.alert(key.plaintext());
        ticker.addAndGet(Duration.ofMinutes(5).toNanos());
        assertEquals(401, alerts.handle(body, "github-key-2", rotated.sign(body)).status(), "not reloaded within ten minutes");
        ticker.addAndGet(Duration.ofMinutes(6).toNanos());
        assertEquals(200, alerts.handle(body, "github-key-2", rotated.sign(body)).status(), "reloaded after them");
        assertEquals(Outcome.REVOKED, check(key));
        assertEquals(401, alerts.handle(warmUp, "github-key-1", github.sign(warmUp)).status(), "the withdrawn key is no longer accepted");
    }

    /** Keys that cannot be loaded: 503 (GitHub retries), nothing revoked; a flood of unknown identifiers loads once. */
    @Test
    void unloadableKeysAnswer503AndUnknownIdentifiersCannotForceReloads() throws Exception {
        GeneratedKey key = service.create(KeyRequest.of("ci", "team-1"));
        java.nio.file.Files.delete(keysFile);
        byte[] body = GitHubSigner.alert(key.plaintext());
        assertEquals(503, alerts.handle(body, "github-key-1", github.sign(body)).status());
        github.publish(keysFile, "github-key-1");
        for (int i = 0; i < 100; i++) {
            assertEquals(503, alerts.handle(body, "random-" + i, github.sign(body)).status(), "no reload before ten minutes");
        }
        ticker.addAndGet(Duration.ofMinutes(10).toNanos());
        assertEquals(401, alerts.handle(body, "random", github.sign(body)).status(), "loaded now: an unknown identifier is refused");
        assertEquals(Outcome.VALID, check(key));
        assertEquals(200, alerts.handle(body, "github-key-1", github.sign(body)).status());
        assertEquals(Outcome.REVOKED, check(key));
    }

    /** The all-zero signature (CVE-2022-21449) is refused, and the startup check passes on this JDK. */
    @Test
    void theZeroSignatureIsRefused() throws Exception {
        GitHubLeakAlerts.requireSoundEcdsa();
        GeneratedKey key = service.create(KeyRequest.of("ci", "team-1"));
        byte[] body = GitHubSigner.alert(key.plaintext());
        String zero = Base64.getEncoder().encodeToString(new byte[] {0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00});
        assertEquals(401, alerts.handle(body, "github-key-1", zero).status());
        assertEquals(Outcome.VALID, check(key));
    }

    /** The bootstrap admin key has no record to revoke: reported as ours, and the operator is told what to do. */
    @Test
    void aLeakedBootstrapKeyIsReportedAsOurs() throws Exception {
        String bootstrap = new KeyCodec("ops_").generate();
        ApiKeyService withBootstrap = ApiKeyService.builder(new MemoryBackend()).usageTracking(false, null)
                .bootstrapKeyHash(dev.apiauth.internal.KeyHasher.unpeppered().hash(bootstrap), java.util.Set.of("apiauth:admin")).build();
        GitHubLeakAlerts bootstrapAlerts = new GitHubLeakAlerts(withBootstrap, keysFile.toUri().toString(), ticker::get);
        byte[] body = GitHubSigner.alert(bootstrap);
        GitHubLeakAlerts.Answer answer = bootstrapAlerts.handle(body, "github-key-1", github.sign(body));
        assertEquals(200, answer.status());
        assertTrue(answer.json().contains("true_positive"), answer.json());
        withBootstrap.close();
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

    @Test
    void theKeysUrlIsLoggedWithoutUserInformationOrQuery() {
        assertEquals("https://ghe.example/meta/public_keys/secret_scanning",
                GitHubAlertsResource.keysForLog("https://user:t0ken@ghe.example/meta/public_keys/secret_scanning?access_token=t0ken"));
        assertEquals("file:/etc/keys.json", GitHubAlertsResource.keysForLog("file:/etc/keys.json"));
    }
}
