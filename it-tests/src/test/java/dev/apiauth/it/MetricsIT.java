package dev.apiauth.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiauth.demo.build.Deployments;
import dev.apiauth.internal.KeyCodec;
import dev.apiauth.internal.KeyHasher;
import jakarta.json.JsonObject;
import java.io.File;
import java.net.URL;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.shrinkwrap.api.exporter.ZipExporter;
import org.junit.jupiter.api.Test;

/**
 * MP Metrics on Payara Micro: the validation counter of each outcome moves by exactly the number of requests sent
 * with that outcome, the lookup timer counts the store lookups, and no key, hash or owner appears in the output.
 */
class MetricsIT {

    private static final Pattern VALIDATION = Pattern.compile("^apiauth_validations_total\\{([^}]*)\\} ([0-9.eE+]+)$", Pattern.MULTILINE);
    private static final Pattern LOOKUPS = Pattern.compile("^apiauth_lookups_seconds_count\\{[^}]*backend=\"memory\"[^}]*\\} ([0-9.eE+]+)$",
            Pattern.MULTILINE);

    @Test
    void countersMoveByExactlyTheRequestsSentPerOutcome() throws Exception {
        String bootstrap = new KeyCodec("ops_").generate();
        Path dir = PayaraProcess.freshDir(Path.of(System.getProperty("apiauth.build", "target"), "metrics"));
        File war = dir.resolve("app.war").toFile();
        Deployments.demoWith("app.war", Map.of("apiauth.backend", "memory", "apiauth.management.enabled", "true",
                "apiauth.bootstrap.admin-key-hash", KeyHasher.unpeppered().hash(bootstrap))).as(ZipExporter.class).exportTo(war, true);
        try (PayaraProcess payara = PayaraProcess.start(war, dir, "metrics.log")) {
            String boot = payara.awaitBoot();
            assertTrue(boot.contains("metrics apiauth.* (MP Metrics)"), boot);
            Http app = new Http(new URL(payara.baseUrl()));
            Http server = new Http(new URL("http://127.0.0.1:" + payara.port + "/"));
            JsonObject user = app.post("api/api-keys", "{\"name\":\"m\",\"ownerId\":\"metered-owner\",\"rateLimit\":{\"requests\":4,\"per\":\"PT1H\"}}",
                    "X-API-Key", bootstrap).json();
            JsonObject revoked = app.post("api/api-keys", "{\"name\":\"r\",\"ownerId\":\"metered-owner\"}", "X-API-Key", bootstrap).json();
            assertEquals(204, app.post("api/api-keys/" + revoked.getString("id") + "/revoke", null, "X-API-Key", bootstrap).status());
            String key = user.getString("key");

            Map<String, Double> before = validations(server);
            double lookupsBefore = lookups(server);
            for (int i = 0; i < 3; i++) {
                assertEquals(200, app.get("api/hello", "X-API-Key", key).status());
            }
            assertEquals(403, app.get("api/admin", "X-API-Key", key).status()); // 4th of 4: counted as insufficient scope, spends nothing
            assertEquals(200, app.get("api/hello", "X-API-Key", key).status());
            assertEquals(429, app.get("api/hello", "X-API-Key", key).status());
            assertEquals(429, app.get("api/hello", "X-API-Key", key).status());
            assertEquals(401, app.get("api/hello").status());
            assertEquals(401, app.get("api/hello").status());
            assertEquals(401, app.get("api/hello", "X-API-Key", "junk").status());
            assertEquals(401, app.get("api/hello", "X-API-Key", new KeyCodec("ak_").generate()).status());
            assertEquals(401, app.get("api/hello", "X-API-Key", revoked.getString("key")).status());
            Map<String, Double> after = validations(server);

            Map<String, Double> expected = Map.of("valid", 4.0, "insufficient-scope", 1.0, "rate-limited", 2.0, "missing", 2.0,
                    "malformed", 1.0, "unknown", 1.0, "revoked", 1.0, "expired", 0.0, "backend-unavailable", 0.0);
            for (Map.Entry<String, Double> e : expected.entrySet()) {
                assertEquals(e.getValue(), after.get(e.getKey()) - before.getOrDefault(e.getKey(), 0.0), 0.0001, "outcome " + e.getKey()
                        + ": before " + before + ", after " + after);
            }
            assertEquals(9, lookups(server) - lookupsBefore, 0.0001, "one store lookup per well-formed key presented");
            String text = server.get("metrics").body();
            assertFalse(text.contains(key) || text.contains("metered-owner") || text.contains(user.getString("id")), "no key, owner or id");
        }
    }

    private static Map<String, Double> validations(Http server) {
        Http.Response response = server.get("metrics");
        assertEquals(200, response.status(), response.toString());
        Map<String, Double> counts = new HashMap<>();
        Matcher m = VALIDATION.matcher(response.body());
        while (m.find()) {
            Matcher outcome = Pattern.compile("outcome=\"([^\"]+)\"").matcher(m.group(1));
            if (outcome.find()) {
                counts.merge(outcome.group(1), Double.parseDouble(m.group(2)), Double::sum);
            }
        }
        assertEquals(9, counts.size(), "a counter per outcome, made at startup: " + response.body().lines().filter(l -> l.contains("apiauth") || l.contains("scope")).limit(40).toList());
        return counts;
    }

    private static double lookups(Http server) {
        Matcher m = LOOKUPS.matcher(server.get("metrics").body());
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}
