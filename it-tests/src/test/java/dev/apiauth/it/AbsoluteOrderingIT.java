package dev.apiauth.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.apiauth.demo.build.Deployments;
import dev.apiauth.it.shapes.ExplicitResource;
import dev.apiauth.it.shapes.ItemResource;
import dev.apiauth.it.shapes.LocatorResource;
import dev.apiauth.it.shapes.ScanningApplication;
import java.net.URL;
import java.util.Map;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An application whose {@code web.xml} has an empty {@code <absolute-ordering/>}, a common way to skip scanning the
 * libraries' web fragments: the servlet container then runs no {@code ServletContainerInitializer} of the library's jar.
 * Its protected resources are still guarded on every server. On Jersey a protected locator with an unannotated
 * sub-resource is guarded at run time, so this WAR has one there; RESTEasy cannot guard it, and such an application must
 * fail closed there ({@code DeploymentFailureIT.aProtectedLocatorOnlyClassFailsClosedAlsoWhenTheWebXmlLeavesTheLibraryOutOfItsOrdering}).
 */
@ExtendWith(ArquillianExtension.class)
class AbsoluteOrderingIT {

    static final String EMPTY_ORDERING = "<absolute-ordering/>";

    @Deployment(testable = false)
    static WebArchive deployment() {
        WebArchive war = Deployments.bare("ordering.war", Map.of("apiauth.backend", "memory"), EMPTY_ORDERING,
                ScanningApplication.class, ExplicitResource.class, TestControlResource.class, FlakyBackend.class);
        return jersey() ? war.addClasses(LocatorResource.class, ItemResource.class) : war;
    }

    private static boolean jersey() {
        return String.valueOf(System.getProperty("apiauth.server")).startsWith("payara");
    }

    @ArquillianResource
    URL url;

    @Test
    void theProtectedResourceIsGuarded() {
        Http http = new Http(url);
        Http.Response issued = http.post("scan/test-control/keys?owner=ordering", null);
        assertEquals(200, issued.status(), issued.toString());
        assertEquals("explicit", http.assertGuarded("scan/explicit-only", issued.body()));
    }

    @Test
    void onJerseyTheLocatorsUnannotatedSubResourceIsGuarded() {
        assumeTrue(jersey(), "RESTEasy: DeploymentFailureIT");
        Http http = new Http(url);
        Http.Response none = http.get("scan/locator/items/7");
        assertEquals(401, none.status(), "without a key: " + none);
    }
}
