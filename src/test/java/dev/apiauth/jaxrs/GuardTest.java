package dev.apiauth.jaxrs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiauth.ApiAuthConfig;
import dev.apiauth.ApiKeyPrincipal;
import dev.apiauth.ApiKeyRequired;
import dev.apiauth.ApiKeyService;
import dev.apiauth.GeneratedKey;
import dev.apiauth.KeyRequest;
import dev.apiauth.backend.memory.MemoryBackend;
import dev.apiauth.internal.KeyCodec;
import dev.apiauth.internal.KeyHasher;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The request path without a server: credential parsing, the one check, the refusals it sends. */
class GuardTest {

    static final String BOOTSTRAP = new KeyCodec("ops_").generate();

    private ApiKeyService service;

    private Guard guard(Map<String, String> settings) {
        ApiAuthConfig config = ApiAuthConfig.from(k -> Optional.ofNullable(settings.get(k)));
        service = ApiKeyService.builder(new MemoryBackend()).config(config).build();
        return new Guard(config, service, new RequestKey());
    }

    @AfterEach
    void close() {
        if (service != null) {
            service.close();
        }
    }

    @ApiKeyRequired
    static class Protected {
        public String get() {
            return "";
        }
    }

    static GuardRule anyKey() throws NoSuchMethodException {
        return GuardRule.resolve(Protected.class, Protected.class.getMethod("get"));
    }

    private static String body(Response response) {
        return String.valueOf(response.getEntity());
    }

    @Test
    void aValidKeyPassesAndBecomesTheSecurityContext() throws Exception {
        Guard guard = guard(Map.of());
        GeneratedKey key = service.create(KeyRequest.of("k", "owner-1", "read"));
        TestRequest request = new TestRequest().header("X-API-Key", key.plaintext());
        assertNull(guard.check(request, anyKey(), false));
        ApiKeyPrincipal principal = assertInstanceOf(ApiKeyPrincipal.class, request.getSecurityContext().getUserPrincipal());
        assertEquals("owner-1", principal.ownerId());
        assertTrue(request.getSecurityContext().isUserInRole("read"));
    }

    @Test
    void refusalsAreProblemsThatNeverEchoTheCredential() throws Exception {
        Guard guard = guard(Map.of());
        GeneratedKey key = service.create(KeyRequest.of("k", "o"));
        String forged = key.plaintext().substring(0, key.plaintext().length() - 1) + (key.plaintext().endsWith("A") ? "B" : "A");
        for (String credential : new String[] {null, "", "junk", forged, new KeyCodec("ak_").generate()}) {
            TestRequest request = new TestRequest();
            if (credential != null) {
                request.header("X-API-Key", credential);
            }
            Response refusal = guard.check(request, anyKey(), false);
            assertNotNull(refusal, "refused: " + credential);
            assertEquals(401, refusal.getStatus());
            assertEquals("application/problem+json", refusal.getMediaType().toString());
            assertEquals("ApiKey realm=\"api\", header=\"X-API-Key\"", refusal.getHeaderString("WWW-Authenticate"));
            if (credential != null && !credential.isEmpty()) {
                assertFalse(body(refusal).contains(credential), body(refusal));
            }
            assertNull(request.getSecurityContext().getUserPrincipal());
        }
    }

    @Test
    void twoKeyHeadersAreMalformed() throws Exception {
        Guard guard = guard(Map.of());
        GeneratedKey key = service.create(KeyRequest.of("k", "o"));
        TestRequest request = new TestRequest().header("X-API-Key", key.plaintext()).header("X-API-Key", key.plaintext());
        Response refusal = guard.check(request, anyKey(), false);
        assertEquals(401, refusal.getStatus());
        assertTrue(body(refusal).contains("\"reason\":\"malformed\""), body(refusal));
    }

    @Test
    void bearerSchemeIsReadCaseInsensitivelyAndOtherSchemesCountAsMissing() throws Exception {
        Guard guard = guard(Map.of("apiauth.scheme", "Bearer"));
        GeneratedKey key = service.create(KeyRequest.of("k", "o"));
        assertNull(guard.check(new TestRequest().header("Authorization", "Bearer " + key.plaintext()), anyKey(), false));
        assertNull(guard.check(new TestRequest().header("Authorization", "bEaReR " + key.plaintext()), anyKey(), false));
        Response basic = guard.check(new TestRequest().header("Authorization", "Basic " + key.plaintext()), anyKey(), false);
        assertTrue(body(basic).contains("\"reason\":\"missing\""), body(basic));
        Response header = guard.check(new TestRequest().header("X-API-Key", key.plaintext()), anyKey(), false);
        assertTrue(body(header).contains("\"reason\":\"missing\""), "the header is not read with a scheme configured");
        assertNull(guard.credential("Bearer"), "a bare scheme is no credential");
    }

    @Test
    void theBootstrapKeyOpensTheManagementApiOnly() throws Exception {
        Guard guard = guard(Map.of("apiauth.bootstrap.admin-key-hash", KeyHasher.unpeppered().hash(BOOTSTRAP)));
        Response app = guard.check(new TestRequest().header("X-API-Key", BOOTSTRAP), anyKey(), false);
        assertNotNull(app, "an @ApiKeyRequired endpoint listing no scope must refuse the bootstrap key");
        assertEquals(401, app.getStatus());
        GuardRule management = GuardRule.management("apiauth:admin");
        assertNull(guard.check(new TestRequest().header("X-API-Key", BOOTSTRAP), management, true));
    }

    @Test
    void managementSelfCheckNeedsTheScopeOnTheRequestsOwnKey() {
        Guard guard = guard(Map.of());
        GuardRule management = GuardRule.management("apiauth:admin");
        GeneratedKey admin = service.create(KeyRequest.of("k", "o", "apiauth:admin"));
        GeneratedKey user = service.create(KeyRequest.of("k", "o", "read"));
        assertEquals(401, guard.checkManagement(new TestHeaders(new TestRequest()), management).refusal().getStatus());
        assertEquals(403, guard.checkManagement(new TestHeaders(new TestRequest().header("X-API-Key", user.plaintext())), management)
                .refusal().getStatus());
        Guard.Caller caller = guard.checkManagement(new TestHeaders(new TestRequest().header("X-API-Key", admin.plaintext())), management);
        assertNull(caller.refusal());
        assertEquals(admin.record().id(), caller.key().id());
    }

    @Test
    void aLocatorsRuleIsCheckedOnTopOfTheMethods() throws Exception {
        Guard guard = guard(Map.of());
        GeneratedKey key = service.create(KeyRequest.of("k", "o", "read"));
        GuardRule combined = anyKey().and(GuardRule.management("admin"));
        Response refusal = guard.check(new TestRequest().header("X-API-Key", key.plaintext()), combined, false);
        assertEquals(403, refusal.getStatus());
        assertSame(null, guard.check(new TestRequest().header("X-API-Key", key.plaintext()), anyKey(), false));
    }

    @Test
    void aKeyOverItsLimitGets429WithRetryAfterAndTheRateLimitFieldsAndIsCountedOncePerRequest() throws Exception {
        Guard guard = guard(Map.of());
        GeneratedKey key = service.create(KeyRequest.of("k", "o").withRateLimit(dev.apiauth.RateLimit.of(2, java.time.Duration.ofHours(1))));
        for (int i = 0; i < 2; i++) {
            TestRequest request = new TestRequest().header("X-API-Key", key.plaintext());
            assertNull(guard.check(request, anyKey(), false));
            assertNull(guard.check(request, anyKey(), false), "a locator and its sub-resource method count once");
            Guard.Counted counted = (Guard.Counted) request.getProperty(Guard.COUNTED);
            assertEquals("\"apikey\";q=2;w=3600", Problems.policy(counted.limit()));
            assertEquals("\"apikey\";r=" + (1 - i) + ";t=" + (1800 * (i + 1)), Problems.state(counted.decision()));
        }
        TestRequest over = new TestRequest().header("X-API-Key", key.plaintext());
        Response refused = guard.check(over, anyKey(), false);
        assertEquals(429, refused.getStatus());
        assertEquals("1800", refused.getHeaderString("Retry-After"));
        assertEquals("\"apikey\";q=2;w=3600", refused.getHeaderString("RateLimit-Policy"));
        assertEquals("\"apikey\";r=0;t=3600", refused.getHeaderString("RateLimit"));
        assertEquals(Problems.MEDIA_TYPE, refused.getMediaType().toString());
        assertTrue(body(refused).contains("\"reason\":\"rate-limited\"") && body(refused).contains("\"status\":429"), body(refused));
        assertFalse(body(refused).contains(key.plaintext()));
        assertNull(refused.getHeaderString("WWW-Authenticate"), "the key is fine; it is the rate that is not");
        assertFalse(over.getSecurityContext() != null && over.getSecurityContext().getUserPrincipal() instanceof ApiKeyPrincipal,
                "a refused request is not authenticated");
    }

    @Test
    void anUnlimitedKeyIsNotCountedAndGetsNoRateLimitFields() throws Exception {
        Guard guard = guard(Map.of());
        GeneratedKey key = service.create(KeyRequest.of("k", "o"));
        TestRequest request = new TestRequest().header("X-API-Key", key.plaintext());
        assertNull(guard.check(request, anyKey(), false));
        assertNull(request.getProperty(Guard.COUNTED));
    }

    @Test
    void refusedKeysAreNeverCounted() throws Exception {
        Guard guard = guard(Map.of(dev.apiauth.ApiAuthConfig.RATE_LIMIT_DEFAULT, "1/PT1H"));
        GeneratedKey key = service.create(KeyRequest.of("k", "o", "read"));
        GuardRule needsWrite = GuardRule.resolve(WriteOnly.class, WriteOnly.class.getMethod("put"));
        for (int i = 0; i < 3; i++) {
            assertEquals(403, guard.check(new TestRequest().header("X-API-Key", key.plaintext()), needsWrite, false).getStatus());
        }
        assertNull(guard.check(new TestRequest().header("X-API-Key", key.plaintext()), anyKey(), false),
                "403s spent nothing of the default limit");
        assertEquals(429, guard.check(new TestRequest().header("X-API-Key", key.plaintext()), anyKey(), false).getStatus());
    }

    @ApiKeyRequired(scopes = "write")
    static class WriteOnly {
        public String put() {
            return "";
        }
    }
}
