package dev.apiauth.jaxrs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiauth.ApiKeyService;
import dev.apiauth.KeyRequest;
import dev.apiauth.cdi.ApiAuthExtension;
import dev.apiauth.internal.KeyCodec;
import dev.apiauth.internal.KeyHasher;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.io.ByteArrayInputStream;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.config.spi.ConfigProviderResolver;
import org.jboss.weld.environment.se.Weld;
import org.jboss.weld.environment.se.WeldContainer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The management resource called directly, with no filter in front of it (a runtime that skipped the library's
 * registration): every call checks the request's own key and refuses without the management scope.
 */
class ManagementWithoutFilterTest {

    static final String BOOTSTRAP = new KeyCodec("ops_").generate();
    private static final Map<String, String> CONFIG = Map.of(
            "apiauth.management.enabled", "true",
            "apiauth.bootstrap.admin-key-hash", KeyHasher.unpeppered().hash(BOOTSTRAP));

    private WeldContainer weld;

    /** Weld SE needs one bean class when discovery is off. */
    @jakarta.enterprise.context.Dependent
    static class Nothing {
    }

    @BeforeEach
    void start() {
        CONFIG.forEach(System::setProperty);
        ConfigProviderResolver.instance().releaseConfig(ConfigProvider.getConfig());
        weld = new Weld("management-" + UUID.randomUUID()).disableDiscovery().addExtension(new ApiAuthExtension())
                .addBeanClass(Nothing.class).initialize();
    }

    @AfterEach
    void stop() {
        weld.shutdown();
        CONFIG.keySet().forEach(System::clearProperty);
        ConfigProviderResolver.instance().releaseConfig(ConfigProvider.getConfig());
    }

    /** A resource as the runtime would create it, with {@code @Context HttpHeaders} carrying {@code key}. */
    private static ManagementResource resource(String key) throws ReflectiveOperationException {
        ManagementResource resource = new ManagementResource();
        TestRequest request = new TestRequest();
        if (key != null) {
            request.header("X-API-Key", key);
        }
        Field headers = ManagementResource.class.getDeclaredField("headers");
        headers.setAccessible(true);
        headers.set(resource, new TestHeaders(request));
        return resource;
    }

    private static ByteArrayInputStream body(String json) {
        return new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void everyCallRefusesACallerWithoutAKeyOrWithoutTheScope() throws Exception {
        ApiKeyService service = weld.select(ApiKeyService.class).get();
        String user = service.create(KeyRequest.of("u", "someone", "read")).plaintext();
        String id = service.create(KeyRequest.of("victim", "victim")).record().id().toString();
        String create = "{\"name\":\"minted\",\"ownerId\":\"attacker\",\"scopes\":[\"apiauth:admin\"]}";
        for (String key : new String[] {null, "junk", user}) {
            int expected = user.equals(key) ? 403 : 401;
            ManagementResource r = resource(key);
            assertEquals(expected, r.create(body(create)).getStatus(), "create with " + key);
            assertEquals(expected, r.list("victim", null, null, null, null).getStatus());
            assertEquals(expected, r.get(id).getStatus());
            assertEquals(expected, r.revoke(id).getStatus());
            assertEquals(expected, r.rotate(id, body("{}")).getStatus());
            assertEquals(expected, r.delete(id).getStatus());
        }
        assertEquals(401, resource(null).self().getStatus(), "self without a key");
        assertEquals(401, resource("junk").self().getStatus());
        assertEquals(401, resource(BOOTSTRAP).self().getStatus(), "the bootstrap key has no record of its own");
        Response self = resource(user).self();
        assertEquals(200, self.getStatus(), "any valid key reads its own record, filter or not");
        String own = String.valueOf(self.getEntity());
        assertTrue(own.contains("\"scopes\":[\"read\"]") && !own.contains(id) && !own.contains("ownerId") && !own.contains("metadata"),
                "its own scopes, nothing of other keys, not the operator's fields: " + own);
        assertTrue(service.listByOwner("attacker").isEmpty(), "no key was minted");
        assertTrue(service.get(UUID.fromString(id)).orElseThrow().isActiveAt(java.time.Instant.now()), "the victim's key is untouched");
    }

    @Test
    void theManagementScopeAndTheBootstrapKeyAreAccepted() throws Exception {
        ApiKeyService service = weld.select(ApiKeyService.class).get();
        String admin = service.create(KeyRequest.of("a", "ops", "apiauth:admin")).plaintext();
        assertEquals(200, resource(admin).list("ops", null, null, null, null).getStatus());
        Response listed = resource(BOOTSTRAP).list("ops", null, null, null, null);
        assertEquals(200, listed.getStatus(), String.valueOf(listed.getEntity()));
    }

    @Test
    void aBodyOverTheLimitIs413AndIsNotParsed() throws Exception {
        String admin = weld.select(ApiKeyService.class).get().create(KeyRequest.of("a", "ops", "apiauth:admin")).plaintext();
        String huge = "{\"name\":\"" + "x".repeat(ManagementResource.MAX_BODY_BYTES) + "\",\"ownerId\":\"o\"}";
        assertEquals(413, resource(admin).create(body(huge)).getStatus());
        assertEquals(401, resource(null).create(body(huge)).getStatus(), "the caller is checked before the body is read");
    }
}
