package dev.apiauth.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.apiauth.demo.build.Deployments;
import dev.apiauth.internal.KeyCodec;
import dev.apiauth.internal.KeyHasher;
import dev.apiauth.it.portable.ListedApplication;
import dev.apiauth.it.shapes.ExplicitResource;
import dev.apiauth.it.shapes.MethodLevelApi;
import dev.apiauth.it.shapes.MethodLevelResource;
import dev.apiauth.it.shapes.ProtectedSub;
import dev.apiauth.it.shapes.SingletonResource;
import dev.apiauth.it.shapes.TypeLevelApi;
import dev.apiauth.it.shapes.TypeLevelResource;
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
 * The guard and the management API on every server of the matrix (Payara 6 and 7 on Jersey, WildFly and Open Liberty on
 * RESTEasy), in an application that lists its classes and a singleton, so that nothing is found by scanning: each protected
 * endpoint answers 401 without a key and with a junk one, 200 with a valid one. The management API is mounted with no
 * subclass in the application (the demo's, at {@code api/api-keys}) and keeps its own rule (admin scope).
 */
@ExtendWith(ArquillianExtension.class)
class ServerShapesIT {

    static final String BOOTSTRAP_KEY = new KeyCodec("ops_").generate();

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.demoWith("server-shapes.war", Map.of("apiauth.backend", "memory", "apiauth.management.enabled", "true",
                        "apiauth.bootstrap.admin-key-hash", KeyHasher.unpeppered().hash(BOOTSTRAP_KEY)),
                TestControlResource.class, FlakyBackend.class)
                .addPackage(ListedApplication.class.getPackage())
                .addClasses(ExplicitResource.class, SingletonResource.class, TypeLevelApi.class, TypeLevelResource.class,
                        MethodLevelApi.class, MethodLevelResource.class, ProtectedSub.class);
    }

    @ArquillianResource
    URL url;

    Http http;

    @BeforeEach
    void client() {
        http = new Http(url);
    }

    private String assertGuarded(String path, String key) {
        return http.assertGuarded(path, key);
    }

    @Test
    void listedClassesAndSingletonsAreGuarded() {
        String key = http.issueKey("server-" + UUID.randomUUID());
        assertEquals("explicit", assertGuarded("listed/explicit-only", key));
        assertEquals("singleton", assertGuarded("listed/singleton", key));
        assertEquals("type-level", assertGuarded("listed/iface-type", key));
        assertEquals("guarded locator", assertGuarded("listed/guarded-locator", key));
        assertEquals("protected sub", assertGuarded("listed/guarded-locator/sub", key));
    }

    @Test
    void scopesOfAListedClassAreEnforcedAndItsOpenMethodStaysOpen() {
        String reader = http.issueKey("server-" + UUID.randomUUID(), "orders:read");
        assertEquals("method-level", assertGuarded("listed/iface-method/secret", reader));
        assertEquals(403, http.get("listed/iface-method/secret", "X-API-Key", http.issueKey("server-" + UUID.randomUUID())).status());
        assertEquals(200, http.get("listed/iface-method/open").status());
    }

    @Test
    void theScanningApplicationIsGuardedToo() {
        String key = http.issueKey("server-" + UUID.randomUUID());
        assertEquals("explicit", assertGuarded("api/explicit-only", key));
        assertEquals(200, http.get("api/public").status(), "an open resource stays open");
    }

    @Test
    void theManagementApiIsMountedWithoutASubclassAndKeepsItsRule() {
        Http.Response none = http.get("api/api-keys?ownerId=someone");
        assertEquals(401, none.status(), "without a key: " + none);
        String plain = http.issueKey("server-" + UUID.randomUUID());
        assertEquals(403, http.get("api/api-keys?ownerId=someone", "X-API-Key", plain).status(), "a key without the admin scope");
        Http.Response list = http.get("api/api-keys?ownerId=someone", "X-API-Key", BOOTSTRAP_KEY);
        assertEquals(200, list.status(), "the operator's key: " + list);
        assertEquals(0, list.json().getInt("total"));
        Http.Response self = http.get("api/api-keys/self", "X-API-Key", plain);
        assertEquals(200, self.status(), "any valid key reads its own record: " + self);
        // every application of the WAR gets it, the one listing its classes too, with the same rule
        assertEquals(401, http.get("listed/api-keys?ownerId=someone").status());
        assertEquals(403, http.get("listed/api-keys?ownerId=someone", "X-API-Key", plain).status());
        assertEquals(200, http.get("listed/api-keys?ownerId=someone", "X-API-Key", BOOTSTRAP_KEY).status());
    }
}
