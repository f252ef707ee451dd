package dev.apiauth.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiauth.demo.build.Deployments;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.jboss.shrinkwrap.api.exporter.ZipExporter;
import org.junit.jupiter.api.Test;

/**
 * A deployment with wrong apiauth.* values must fail on a real Payara Micro with a message naming each key,
 * its value and what was expected, and serve nothing. Payara is started directly: the point is its own log.
 */
class BadConfigIT {

    @Test
    void wrongValuesFailTheDeploymentNamingTheKeys() throws Exception {
        Path dir = PayaraProcess.freshDir(Path.of(System.getProperty("apiauth.build", "target"), "bad-config"));
        File war = dir.resolve("bad-config.war").toFile();
        Deployments.demoWith("bad-config.war", Map.of(
                "apiauth.key-prefix", "Prod-",
                "apiauth.usage.flush-interval", "soon"))
                .as(ZipExporter.class).exportTo(war, true);
        try (PayaraProcess payara = PayaraProcess.start(war, dir, "payara.log")) {
            String output = payara.awaitBoot();
            assertTrue(output.contains("apiauth.key-prefix=Prod- is invalid; expected lowercase letters and digits, words joined by single underscores"),
                    "the log names the key, value and rule; log in " + payara.log);
            assertTrue(output.contains("apiauth.usage.flush-interval=soon is invalid; expected a positive duration"),
                    "every wrong key is reported; log in " + payara.log);
            if (payara.isAlive()) {
                HttpResponse<String> response = HttpClient.newHttpClient().send(
                        HttpRequest.newBuilder(URI.create(payara.baseUrl() + "api/public")).timeout(Duration.ofSeconds(10)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(404, response.statusCode(), "the failed application serves nothing");
            }
            assertFalse(output.contains("Demo admin key:"), "the application never started");
        }
    }
}
