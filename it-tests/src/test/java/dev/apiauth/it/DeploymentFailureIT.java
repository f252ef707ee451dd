package dev.apiauth.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiauth.demo.build.Deployments;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * On WildFly and Open Liberty (the Payara Micro connector does not report a failed deployment; {@code BadConfigIT} reads
 * Payara's log instead), a deployment with a wrong {@code apiauth.*} value fails, and what the server reports
 * names the key, its value and what was expected ({@code BadConfigIT} also reads Payara's own log).
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class DeploymentFailureIT {

    @Deployment(name = "bad-config", managed = false, testable = false)
    static WebArchive deployment() {
        return Deployments.demoWith("bad-config.war", Map.of("apiauth.key-prefix", "Prod-", "apiauth.usage.flush-interval", "soon"));
    }

    /**
     * Switches RESTEasy's built-in providers off and lists its own providers without the guard: the library cannot register
     * its guard, so the deployment must fail rather than serve {@code off/explicit-only} without a key.
     */
    @Deployment(name = "own-providers", managed = false, testable = false)
    static WebArchive ownProviders() {
        return Deployments.bare("own-providers.war", Map.of("apiauth.backend", "memory"),
                "<context-param><param-name>resteasy.use.builtin.providers</param-name><param-value>false</param-value></context-param>"
                        + "<context-param><param-name>resteasy.providers</param-name><param-value>"
                        + dev.apiauth.it.switchedoff.StringWriter.class.getName() + "</param-value></context-param>",
                dev.apiauth.it.switchedoff.SwitchedOffApplication.class, dev.apiauth.it.switchedoff.StringWriter.class,
                dev.apiauth.it.shapes.ExplicitResource.class, TestControlResource.class, FlakyBackend.class);
    }

    @ArquillianResource
    Deployer deployer;

    /**
     * A protected class whose only member is a locator to an unannotated sub-resource: RESTEasy never shows a locator to a
     * {@code DynamicFeature}, so nothing checked it and {@code locator/items/7} answered 200 without a key on WildFly and
     * Liberty before the fix; now the application fails closed.
     */
    @Deployment(name = "locator-only", managed = false, testable = false)
    static WebArchive locatorOnly() {
        return Deployments.demoWith("locator-only.war", Map.of("apiauth.backend", "memory"),
                dev.apiauth.it.shapes.LocatorResource.class, dev.apiauth.it.shapes.ItemResource.class);
    }

    /**
     * The same class in an application whose {@code web.xml} leaves the library's jar out of its ordering (an empty
     * {@code <absolute-ordering/>}), so the servlet container runs none of its initializers: before the fix
     * {@code scan/locator/items/7} answered 200 without a key on WildFly and on Open Liberty.
     */
    @Deployment(name = "ordering-locator-only", managed = false, testable = false)
    static WebArchive orderingLocatorOnly() {
        return Deployments.bare("ordering-locator-only.war", Map.of("apiauth.backend", "memory"), AbsoluteOrderingIT.EMPTY_ORDERING,
                dev.apiauth.it.shapes.ScanningApplication.class, dev.apiauth.it.shapes.LocatorResource.class,
                dev.apiauth.it.shapes.ItemResource.class, TestControlResource.class, FlakyBackend.class);
    }

    /**
     * The same with the feature services switched off too: only the built-in providers file registers the guard, which
     * then checks the locators itself (before: 200 without a key, as above).
     */
    @Deployment(name = "ordering-no-services", managed = false, testable = false)
    static WebArchive orderingNoServices() {
        return Deployments.bare("ordering-no-services.war", Map.of("apiauth.backend", "memory"), AbsoluteOrderingIT.EMPTY_ORDERING,
                dev.apiauth.it.unguardable.NoServicesLocatorApplication.class, dev.apiauth.it.shapes.LocatorResource.class,
                dev.apiauth.it.shapes.ItemResource.class);
    }

    @Test
    void aProtectedLocatorOnlyClassFailsClosedAlsoWhenTheWebXmlLeavesTheLibraryOutOfItsOrdering() throws Exception {
        assertFailsWithoutInitializer("ordering-locator-only", "scan");
    }

    @Test
    void aProtectedLocatorOnlyClassFailsClosedWithTheOrderingAndWithoutFeatureServices() throws Exception {
        assertFailsWithoutInitializer("ordering-no-services", "nos");
    }

    /**
     * WildFly refuses the deployment, and what it reports comes from the guard's own check, not the servlet initializer's
     * (which the ordering kept from running). Open Liberty starts it anyway, but without its JAX-RS servlet: the locator's
     * sub-resource is not served (its guard-misconfigured filter comes from the initializer, which did not run).
     */
    private void assertFailsWithoutInitializer(String name, String root) throws Exception {
        String message = "cannot guard the sub-resource locator " + dev.apiauth.it.shapes.LocatorResource.class.getName();
        String initializer = "cannot guard this application";
        if (!"liberty".equals(System.getProperty("apiauth.server"))) {
            String report = assertFails(name, message);
            assertFalse(report.contains(initializer), name + ": the servlet initializer ran after all: " + report);
            return;
        }
        long before = logLength();
        deployer.deploy(name);
        try {
            Http http = new Http(new java.net.URL("http://127.0.0.1:" + System.getProperty("liberty.http.port") + "/" + name + "/"));
            for (String path : new String[] {root + "/locator/items/7", root + "/locator/items/7/admin"}) {
                Http.Response refused = http.get(path);
                assertTrue(refused.status() >= 500, path + ": " + refused);
            }
            String log = serverLog(before);
            assertTrue(log.contains(message), "the log says " + message);
            assertFalse(log.contains(initializer), "the servlet initializer ran after all");
        } finally {
            deployer.undeploy(name);
        }
    }

    @Test
    void aProtectedLocatorOnlyClassWithAnUnguardedSubResourceFailsClosed() throws Exception {
        assertFailsClosed("locator-only", "cannot guard the sub-resource locator " + dev.apiauth.it.shapes.LocatorResource.class.getName(),
                "api/locator/items/7", "api/public");
    }

    /**
     * WildFly fails the deployment. Open Liberty only logs an initializer's exception and starts the application anyway: there
     * every request must be refused (failed before the fix: {@code off/explicit-only} answered 200 without a key on WildFly).
     */
    @Test
    void anApplicationThatLeavesNoWayToRegisterTheGuardFailsClosed() throws Exception {
        assertFailsClosed("own-providers", "resteasy.providers in the context parameter (" + dev.apiauth.it.switchedoff.StringWriter.class.getName()
                + ") lacks it", "off/explicit-only", "off/test-control/keys?owner=x");
    }

    /**
     * WildFly must refuse the deployment with {@code message}; Open Liberty starts it anyway, so there each of {@code paths}
     * must answer 500 guard-misconfigured and the log must say {@code message}.
     */
    private void assertFailsClosed(String name, String message, String... paths) throws Exception {
        if (!"liberty".equals(System.getProperty("apiauth.server"))) {
            assertFails(name, message);
            return;
        }
        long before = logLength();
        deployer.deploy(name);
        try {
            Http http = new Http(new java.net.URL("http://127.0.0.1:" + System.getProperty("liberty.http.port") + "/" + name + "/"));
            for (String path : paths) {
                Http.Response refused = path.contains("keys") ? http.post(path, null) : http.get(path);
                assertEquals(500, refused.status(), path + ": " + refused);
                assertEquals("urn:apiauth:problem:guard-misconfigured", refused.json().getString("type"), path);
            }
            assertTrue(serverLog(before).contains(message), "the log says " + message);
        } finally {
            deployer.undeploy(name);
        }
    }

    private static final java.nio.file.Path LIBERTY_LOG = java.nio.file.Path.of(System.getProperty("servers.dir", "target/servers"),
            "wlp/usr/servers/apiauth/logs/messages.log");

    /** What Open Liberty logged from {@code offset} on (its adapter reports the first line of a failure only); "" elsewhere. */
    private static String serverLog(long offset) {
        try {
            if (!"liberty".equals(System.getProperty("apiauth.server")) || !java.nio.file.Files.isRegularFile(LIBERTY_LOG)) {
                return "";
            }
            byte[] all = java.nio.file.Files.readAllBytes(LIBERTY_LOG);
            return new String(all, (int) Math.min(offset, all.length), (int) Math.max(0, all.length - offset),
                    java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The log's length now: it keeps earlier runs' lines, which must not count. */
    private static long logLength() {
        try {
            return java.nio.file.Files.isRegularFile(LIBERTY_LOG) ? java.nio.file.Files.size(LIBERTY_LOG) : 0;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void theDeploymentFailsNamingTheKey() {
        assertFails("bad-config", "apiauth.key-prefix=Prod- is invalid; expected lowercase letters");
    }

    /** Deploys {@code name}, which must fail with {@code message} in the server's report (the exception or its log). */
    private String assertFails(String name, String message) {
        long before = logLength(); // the server's log keeps earlier runs' lines
        Exception failure = assertThrows(Exception.class, () -> deployer.deploy(name), name + ": the server accepted it");
        StringWriter trace = new StringWriter();
        failure.printStackTrace(new PrintWriter(trace));
        String report = trace + serverLog(before);
        assertTrue(report.contains(message), name + ": the report says " + message + ": " + trace);
        try {
            deployer.undeploy(name);
        } catch (RuntimeException e) {
            // some servers keep nothing of a failed deployment
        }
        return report;
    }
}
