package dev.apiauth.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiauth.backend.redis.OwnRedisServer;
import dev.apiauth.demo.build.Deployments;
import dev.apiauth.internal.KeyCodec;
import dev.apiauth.internal.KeyHasher;
import jakarta.json.JsonObject;
import java.io.File;
import java.net.URL;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.jboss.shrinkwrap.api.exporter.ZipExporter;
import org.junit.jupiter.api.Test;

/**
 * The readiness check on Payara Micro (MP Health, {@code /health/ready}): UP while the key store answers; DOWN, as
 * the key endpoint answers 503, while the test's own Redis is stopped; UP again when it is back, without a redeploy.
 */
class ReadinessIT {

    @Test
    void readinessFollowsTheKeyStoreDownAndBackUp() throws Exception {
        String bootstrap = new KeyCodec("ops_").generate();
        Path dir = PayaraProcess.freshDir(Path.of(System.getProperty("apiauth.build", "target"), "readiness"));
        try (OwnRedisServer redis = new OwnRedisServer(false)) {
            File war = dir.resolve("app.war").toFile();
            Deployments.demoWith("app.war", Map.of("apiauth.backend", "redis", "apiauth.redis.address", redis.address(),
                    "apiauth.redis.namespace", "apiauth-it:" + UUID.randomUUID().toString().substring(0, 8) + ":",
                    "apiauth.management.enabled", "true",
                    "apiauth.bootstrap.admin-key-hash", KeyHasher.unpeppered().hash(bootstrap))).as(ZipExporter.class).exportTo(war, true);
            try (PayaraProcess payara = PayaraProcess.start(war, dir, "readiness.log")) {
                String boot = payara.awaitBoot();
                assertTrue(boot.contains("readiness check 'apiauth' (MP Health)"), "said at startup: " + boot);
                Http app = new Http(new URL(payara.baseUrl()));
                Http server = new Http(new URL("http://127.0.0.1:" + payara.port + "/"));
                String key = app.post("api/api-keys", "{\"name\":\"r\",\"ownerId\":\"ready\"}", "X-API-Key", bootstrap).json().getString("key");

                Http.Response up = server.get("health/ready");
                assertEquals(200, up.status(), up.toString());
                JsonObject check = apiauth(up);
                assertEquals("UP", check.getString("status"));
                assertEquals("redis", check.getJsonObject("data").getString("backend"));
                assertFalse(up.body().contains(key) || up.body().contains(redis.address()), "no key, no address: " + up.body());

                redis.stop();
                long stopped = System.nanoTime();
                Http.Response down = await(server, 503, 10_000);
                System.out.println("readiness DOWN " + (System.nanoTime() - stopped) / 1_000_000 + " ms after Redis stopped: " + down.body());
                assertEquals("DOWN", apiauth(down).getString("status"));
                assertEquals(503, app.get("api/hello", "X-API-Key", key).status(), "DOWN exactly when validations answer 503");

                redis.start();
                long started = System.nanoTime();
                await(server, 200, 15_000);
                System.out.println("readiness UP " + (System.nanoTime() - started) / 1_000_000 + " ms after Redis started");
                assertEquals(401, app.get("api/hello", "X-API-Key", key).status(),
                        "Redis came back empty (not persistent): the key is unknown now, a 401, no longer a 503");
            }
        }
    }

    private static Http.Response await(Http server, int status, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        Http.Response response = server.get("health/ready");
        while (response.status() != status && System.nanoTime() < deadline) {
            Thread.sleep(100);
            response = server.get("health/ready");
        }
        assertEquals(status, response.status(), response.toString());
        return response;
    }

    private static JsonObject apiauth(Http.Response response) {
        return response.json().getJsonArray("checks").stream().map(v -> v.asJsonObject())
                .filter(c -> c.getString("name").equals("apiauth")).findFirst()
                .orElseThrow(() -> new AssertionError("no apiauth check in " + response.body()));
    }
}
