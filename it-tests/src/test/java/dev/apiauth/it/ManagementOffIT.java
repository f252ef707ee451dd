package dev.apiauth.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.apiauth.demo.build.Deployments;
import dev.apiauth.internal.KeyHasher;
import dev.apiauth.internal.KeyCodec;
import java.net.URL;
import java.util.Map;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** On every server of the matrix: with {@code apiauth.management.enabled=false} nothing is mounted (404), even for an admin key. */
@ExtendWith(ArquillianExtension.class)
class ManagementOffIT {

    static final String BOOTSTRAP_KEY = new KeyCodec("ops_").generate();

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.demoWith("management-off.war", Map.of("apiauth.backend", "memory", "apiauth.management.enabled", "false",
                "apiauth.bootstrap.admin-key-hash", KeyHasher.unpeppered().hash(BOOTSTRAP_KEY)));
    }

    @ArquillianResource
    URL url;

    @Test
    void theManagementApiIsNotMounted() {
        Http http = new Http(url);
        for (String path : new String[] {"api/api-keys?ownerId=x", "api/api-keys/self"}) {
            assertEquals(404, http.get(path, "X-API-Key", BOOTSTRAP_KEY).status(), path);
            assertEquals(404, http.get(path).status(), path + " without a key");
        }
        assertEquals(200, http.get("api/public").status(), "the application itself is served");
    }
}
