package dev.apiauth.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiauth.demo.build.Deployments;
import dev.apiauth.it.shapes.ScanningApplication;
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
 * Every resource shape and registration path on a real Payara Micro: each protected endpoint answers 401 without
 * a key, 401 with a junk key and 200 with a valid one (so a 404 cannot pass for protection). One WAR holds
 * four applications: one relying on scanning, one listing its classes and a singleton, one listing its classes
 * with Jersey's auto-discovery switched off, and one carrying the property that marks Payara's own applications.
 */
@ExtendWith(ArquillianExtension.class)
class GuardShapesIT {

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.demoWith("shapes.war", Map.of("apiauth.backend", "memory"), TestControlResource.class, FlakyBackend.class)
                .addPackage(ScanningApplication.class.getPackage());
    }

    @ArquillianResource
    URL url;

    Http http;

    @BeforeEach
    void client() {
        http = new Http(url);
    }

    private String issue(String owner, String... scopes) {
        return http.issueKey(owner, scopes);
    }

    private String assertGuarded(String path, String key) {
        return http.assertGuarded(path, key);
    }

    @Test
    void interfaceTypeLevelAnnotationProtectsTheImplementation() {
        String key = issue("shapes-" + UUID.randomUUID());
        assertEquals("type-level", assertGuarded("scan/iface-type", key));
        assertEquals("type-level", assertGuarded("nodisc/iface-type", key));
    }

    @Test
    void interfaceMethodLevelAnnotationProtectsThatMethodOnly() {
        String key = issue("shapes-" + UUID.randomUUID(), "orders:read");
        assertEquals("method-level", assertGuarded("scan/iface-method/secret", key));
        assertEquals("method-level", assertGuarded("explicit/iface-method/secret", key));
        assertEquals(403, http.get("scan/iface-method/secret", "X-API-Key", issue("shapes-" + UUID.randomUUID())).status(),
                "the interface method's scope is enforced");
        assertEquals(200, http.get("scan/iface-method/open").status(), "the unannotated method stays open");
    }

    @Test
    void overrideWithoutTheAnnotationStaysProtected() {
        String key = issue("shapes-" + UUID.randomUUID());
        assertEquals("override", assertGuarded("scan/override/data", key));
        assertEquals("override", assertGuarded("explicit/override/data", key));
    }

    @Test
    void subResourcesOfAProtectedLocatorAreProtectedAndTheLocatorDoesNotRunWithoutAKey() {
        String key = issue("shapes-" + UUID.randomUUID());
        for (String app : new String[] {"scan", "explicit", "nodisc"}) {
            int before = Integer.parseInt(http.get("scan/probe/locator-calls").body());
            assertEquals(401, http.get(app + "/locator/items/7").status());
            assertEquals(401, http.get(app + "/locator/items/7", "X-API-Key", "junk").status());
            assertEquals(401, http.get(app + "/locator/items/7/admin").status());
            assertEquals(before, Integer.parseInt(http.get("scan/probe/locator-calls").body()),
                    app + ": the locator's code must not run for a request without a valid key");
            String body = assertGuarded(app + "/locator/items/7", key);
            assertTrue(body.startsWith("item 7 for shapes-"), "the sub-resource sees the key's principal: " + body);
            assertEquals(403, http.get(app + "/locator/items/7/admin", "X-API-Key", key).status(),
                    app + ": the sub-resource method's own scope is added to the locator's requirement");
        }
        String admin = issue("shapes-" + UUID.randomUUID(), "admin");
        assertEquals("item admin 7", assertGuarded("scan/locator/items/7/admin", admin));
    }

    @Test
    void aLocatorInheritedByAProtectedAndAnOpenClassKeepsEachClassesRule() {
        String plain = issue("shapes-" + UUID.randomUUID());
        String admin = issue("shapes-" + UUID.randomUUID(), "admin");
        for (int round = 0; round < 2; round++) { // either class may be asked first
            assertEquals(200, http.get("scan/public-inherited/items/3").status(), "the open class stays open");
            assertEquals(401, http.get("scan/admin-inherited/items/3").status(), "the protected class's rule is not the open one's");
            assertEquals(403, http.get("scan/admin-inherited/items/3", "X-API-Key", plain).status(), "its scope holds");
            assertEquals(200, http.get("scan/admin-inherited/items/3", "X-API-Key", admin).status());
        }
    }

    @Test
    void aSubResourceProtectedByItsOwnAnnotationIsGuardedBehindAnOpenLocator() {
        assertEquals("protected sub", assertGuarded("scan/open-locator/sub", issue("shapes-" + UUID.randomUUID())));
    }

    @Test
    void asynchronousResourceMethodsAreGuarded() {
        String key = issue("shapes-" + UUID.randomUUID());
        assertEquals("suspended", assertGuarded("scan/async/suspended", key));
        assertEquals("stage", assertGuarded("scan/async/stage", key));
    }

    @Test
    void anApplicationScopedResourceSeesEachCallersOwnKey() {
        String first = "shapes-first-" + UUID.randomUUID();
        String second = "shapes-second-" + UUID.randomUUID();
        assertEquals(first, assertGuarded("scan/app-scoped", issue(first)));
        assertEquals(second, assertGuarded("scan/app-scoped", issue(second)), "not the first caller's key");
    }

    @Test
    void headAndOptionsRunNoProtectedCodeWithoutAKey() {
        String key = issue("shapes-" + UUID.randomUUID());
        int calls = Integer.parseInt(http.get("scan/probe/locator-calls").body());
        Map<String, String> outputs = Map.of("scan/iface-type", "type-level", "scan/override/data", "override",
                "scan/locator/items/7", "item 7 for", "scan/async/stage", "stage");
        for (Map.Entry<String, String> endpoint : outputs.entrySet()) {
            String path = endpoint.getKey();
            assertEquals(401, http.head(path).status(), "HEAD " + path + " without a key");
            assertEquals(200, http.head(path, "X-API-Key", key).status(), "HEAD " + path + " with a key");
            Http.Response options = http.options(path);
            assertTrue(options.status() == 200 || options.status() == 204 || options.status() == 401, "OPTIONS " + path + ": " + options);
            assertTrue(!options.body().startsWith(endpoint.getValue()), "OPTIONS " + path + " does not run the resource: " + options);
        }
        assertEquals(calls + 1, Integer.parseInt(http.get("scan/probe/locator-calls").body()),
                "the locator ran for the keyed HEAD only (OPTIONS is answered by Jersey without calling it, or refused)");
    }

    @Test
    void explicitlyListedClassesAndSingletonsAreGuarded() {
        String key = issue("shapes-" + UUID.randomUUID());
        assertEquals("explicit", assertGuarded("explicit/explicit-only", key));
        assertEquals("singleton", assertGuarded("explicit/singleton", key));
    }

    @Test
    void anApplicationMarkedAsPayarasOwnKeepsItsGuard() {
        assertEquals("explicit", assertGuarded("marked/explicit-only", issue("shapes-" + UUID.randomUUID())));
    }

    @Test
    void anApplicationWithAutoDiscoveryOffIsGuarded() {
        String key = issue("shapes-" + UUID.randomUUID());
        assertEquals("explicit", assertGuarded("nodisc/explicit-only", key));
        assertEquals("override", assertGuarded("nodisc/override/data", key));
    }
}
