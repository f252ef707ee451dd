package dev.apiauth.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiauth.demo.build.Deployments;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jboss.shrinkwrap.api.exporter.ZipExporter;
import org.junit.jupiter.api.Test;

/**
 * A deployment with wrong apiauth.* values must fail on a real Payara Micro with a message naming each key,
 * its value and what was expected, and serve nothing. Payara is started directly: the point is its own log.
 */
class BadConfigIT {

    @Test
    void wrongValuesFailTheDeploymentNamingTheKeys() throws Exception {
        Path dir = Files.createDirectories(Path.of(System.getProperty("apiauth.build", "target"), "bad-config"));
        File war = dir.resolve("bad-config.war").toFile();
        Deployments.demoWith("bad-config.war", Map.of(
                "apiauth.key-prefix", "Prod-",
                "apiauth.usage.flush-interval", "soon"))
                .as(ZipExporter.class).exportTo(war, true);
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path log = dir.resolve("payara.log");
        Process payara = new ProcessBuilder(javaBin(), "-Xmx384m", "-Djava.io.tmpdir=" + dir, "-jar",
                System.getProperty("payara.microJar"), "--deploy", war.getPath(), "--port", String.valueOf(port),
                "--nohazelcast", "--disablephonehome", "--rootdir", dir.resolve("root").toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            String output = awaitBoot(payara, log);
            assertTrue(output.contains("apiauth.key-prefix=Prod- is invalid; expected 1 to 16 lowercase letters or digits followed by '_'"),
                    "the log names the key, value and rule; log in " + log);
            assertTrue(output.contains("apiauth.usage.flush-interval=soon is invalid; expected a positive duration"),
                    "every wrong key is reported; log in " + log);
            if (payara.isAlive()) {
                HttpResponse<String> response = HttpClient.newHttpClient().send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/bad-config/api/public"))
                                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(404, response.statusCode(), "the failed application serves nothing");
            }
            assertFalse(output.contains("Demo admin key:"), "the application never started");
        } finally {
            payara.destroy();
            if (!payara.waitFor(30, TimeUnit.SECONDS)) {
                payara.destroyForcibly();
            }
        }
    }

    /** Waits until Payara says it is ready or exits; returns its log. */
    private static String awaitBoot(Process payara, Path log) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (System.nanoTime() < deadline) {
            String output = Files.readString(log, StandardCharsets.UTF_8);
            if (output.contains("Payara Micro URLs") || output.contains("ready in") || !payara.isAlive()) {
                return output;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("Payara Micro neither started nor exited within 180 s; log in " + log);
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
