package dev.apiauth.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.apiauth.demo.build.Deployments;
import dev.apiauth.internal.KeyCodec;
import dev.apiauth.internal.KeyHasher;
import jakarta.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.net.InetSocketAddress;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Predicate;
import org.jboss.shrinkwrap.api.exporter.ZipExporter;
import org.junit.jupiter.api.Test;

/**
 * MP Telemetry on Payara Micro, exporting over OTLP/HTTP to a receiver of the test's own: the server span of a guarded
 * request carries apiauth.outcome, apiauth.key_id and apiauth.owner_id, never the key. The receiver does not decode
 * protobuf: attribute keys and string values travel as plain UTF-8 bytes in it, which is what is searched.
 */
class TracingIT {

    @Test
    void theServerSpanCarriesTheDecisionAndNeverTheKey() throws Exception {
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            synchronized (received) {
                received.write(body);
            }
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        receiver.start();
        String bootstrap = new KeyCodec("ops_").generate();
        Path dir = PayaraProcess.freshDir(Path.of(System.getProperty("apiauth.build", "target"), "tracing"));
        File war = dir.resolve("app.war").toFile();
        Deployments.demoWith("app.war", Map.of("apiauth.backend", "memory", "apiauth.management.enabled", "true",
                "apiauth.bootstrap.admin-key-hash", KeyHasher.unpeppered().hash(bootstrap),
                "otel.sdk.disabled", "false", "otel.traces.exporter", "otlp", "otel.metrics.exporter", "none",
                "otel.logs.exporter", "none", "otel.exporter.otlp.protocol", "http/protobuf",
                "otel.exporter.otlp.endpoint", "http://127.0.0.1:" + receiver.getAddress().getPort(),
                "otel.bsp.schedule.delay", "100")).as(ZipExporter.class).exportTo(war, true);
        try (PayaraProcess payara = PayaraProcess.start(war, dir, "tracing.log")) {
            payara.awaitBoot();
            Http app = new Http(new URL(payara.baseUrl()));
            JsonObject user = app.post("api/api-keys", "{\"name\":\"t\",\"ownerId\":\"traced-owner\"}", "X-API-Key", bootstrap).json();
            JsonObject revoked = app.post("api/api-keys", "{\"name\":\"r\",\"ownerId\":\"revoked-owner\"}", "X-API-Key", bootstrap).json();
            assertEquals(204, app.post("api/api-keys/" + revoked.getString("id") + "/revoke", null, "X-API-Key", bootstrap).status());
            assertEquals(200, app.get("api/hello", "X-API-Key", user.getString("key")).status());
            assertEquals(401, app.get("api/hello", "X-API-Key", revoked.getString("key")).status());
            assertEquals(401, app.get("api/hello").status());

            String text = await(received, t -> t.contains(user.getString("id")) && t.contains(revoked.getString("id"))
                    && t.contains("missing"));
            assertTrue(text.contains("apiauth.outcome") && text.contains("apiauth.key_id") && text.contains("apiauth.owner_id"),
                    "attributes exported: " + printable(text) + "\n" + payara.log());
            assertTrue(text.contains(user.getString("id")) && text.contains("traced-owner") && text.contains("valid"));
            assertTrue(text.contains(revoked.getString("id")) && text.contains("revoked"));
            assertTrue(text.contains("revoked-owner"), "a refused key's owner is on its span too");
            assertFalse(text.contains(user.getString("key")) || text.contains(revoked.getString("key")) || text.contains(bootstrap),
                    "never a key");
        } finally {
            receiver.stop(0);
        }
    }

    private static String await(ByteArrayOutputStream received, Predicate<String> done) throws InterruptedException {
        String text = "";
        for (int i = 0; i < 150; i++) {
            synchronized (received) {
                text = received.toString(StandardCharsets.ISO_8859_1);
            }
            if (done.test(text)) {
                return text;
            }
            Thread.sleep(100);
        }
        return text;
    }

    private static String printable(String text) {
        return text.replaceAll("[^\\x20-\\x7e]", ".");
    }
}
