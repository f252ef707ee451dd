package dev.apiauth.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiauth.demo.build.Deployments;
import dev.apiauth.it.unguardable.ContainerRolesResource;
import dev.apiauth.it.unguardable.KeyHoldingSingleton;
import dev.apiauth.it.unguardable.LocatorToContradiction;
import dev.apiauth.it.unguardable.PermitAllOnProtectedResource;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jboss.shrinkwrap.api.exporter.ZipExporter;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;

/**
 * Applications the library cannot guard as written must not start: each of these WARs fails its deployment on a
 * real Payara Micro with a message naming the class (or member) and the fix, and serves nothing.
 */
class UnguardableDeploymentsIT {

    @Test
    void deploymentsTheLibraryCannotGuardFailNamingTheClassAndTheFix() throws Exception {
        Path dir = PayaraProcess.freshDir(Path.of(System.getProperty("apiauth.build", "target"), "unguardable"));
        File permit = export(Deployments.demoWith("permit.war", Map.of(), PermitAllOnProtectedResource.class), dir);
        WebArchive rolesWar = Deployments.demoWith("roles.war", Map.of(), ContainerRolesResource.class);
        rolesWar.delete("WEB-INF/payara-web.xml"); // Payara's own @RolesAllowed check stays on (its default)
        File roles = export(rolesWar, dir);
        File leak = export(Deployments.demoWith("leak.war", Map.of(), KeyHoldingSingleton.class), dir);
        File sub = export(Deployments.demoWith("subcontra.war", Map.of(), LocatorToContradiction.class, LocatorToContradiction.Sub.class), dir);
        File ok = export(Deployments.demoWith("ok.war", Map.of()), dir);
        try (PayaraProcess payara = PayaraProcess.startDeployingEach(List.of(permit, roles, leak, sub, ok), dir, "payara.log")) {
            String log = payara.awaitDeployed("ok"); // deployed last: the four before it have had their turn
            assertTrue(log.contains("jakarta-api-auth cannot guard " + PermitAllOnProtectedResource.class.getName() + ".get")
                    && log.contains("@PermitAll on " + PermitAllOnProtectedResource.class.getName() + ".get would open it to everyone"),
                    "the @PermitAll contradiction is named; log in " + payara.log);
            assertTrue(log.contains(ContainerRolesResource.class.getName() + ".get requires an API key and has @RolesAllowed,"
                    + " but Payara's own JAX-RS @RolesAllowed check is active")
                    && log.contains("@ApiKeyRequired(scopes = {...}, match = Match.ANY)"),
                    "the container role check conflict is named with its fix; log in " + payara.log);
            assertTrue(log.contains("@Inject ApiKey in " + KeyHoldingSingleton.class.getName() + ".key")
                    && log.contains("Instance<ApiKey>"), "the leaking injection is named with its fix; log in " + payara.log);
            assertTrue(log.contains("jakarta-api-auth cannot guard " + LocatorToContradiction.Sub.class.getName() + ".get"),
                    "a contradiction behind a locator fails the deployment, not a request; log in " + payara.log);
            HttpClient client = HttpClient.newHttpClient();
            for (String path : new String[] {"permit/api/permit", "roles/api/roles", "leak/api/public", "subcontra/api/sub-contradiction/sub"}) {
                HttpResponse<String> response = get(client, payara, path);
                assertTrue(response.statusCode() == 404 || response.statusCode() == 503,
                        path + ": a failed application serves nothing, got " + response.statusCode() + " " + response.body());
                assertEquals(false, response.body().contains("should never be served"), path);
            }
            assertEquals(200, get(client, payara, "ok/api/public").statusCode(), "the server goes on serving the sound application");
            assertEquals(401, get(client, payara, "ok/api/hello").statusCode(), "and guards it");
        }
    }

    private static HttpResponse<String> get(HttpClient client, PayaraProcess payara, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + payara.port + "/" + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static File export(WebArchive war, Path dir) {
        File file = dir.resolve(war.getName()).toFile();
        war.as(ZipExporter.class).exportTo(file, true);
        return file;
    }
}
