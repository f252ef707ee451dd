package dev.apiauth.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiauth.backend.redis.OwnRedisServer;
import dev.apiauth.demo.build.Deployments;
import dev.apiauth.internal.KeyCodec;
import dev.apiauth.internal.KeyHasher;
import jakarta.json.JsonObject;
import java.io.File;
import java.net.URL;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jboss.shrinkwrap.api.exporter.ZipExporter;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;

/**
 * Per-key rate limits on Payara Micro, through the demo and the management API: exact on one node (memory); exact
 * across two nodes sharing Redis; and with Redis stopped mid-run, counted on the node alone without a single 503.
 */
class RateLimitIT {

    private static final String BOOTSTRAP = new KeyCodec("ops_").generate();
    private static final String NAMESPACE = "apiauth-it:" + UUID.randomUUID().toString().substring(0, 8) + ":";

    @AfterAll
    static void deleteNamespace() {
        RedissonClient redis = RedisDemoIT.redis();
        redis.getKeys().deleteByPattern(NAMESPACE + "*");
        redis.shutdown();
    }

    private static File war(Path dir, String name, Map<String, String> config) {
        Map<String, String> all = new java.util.HashMap<>(config);
        all.put("apiauth.management.enabled", "true");
        all.put("apiauth.bootstrap.admin-key-hash", KeyHasher.unpeppered().hash(BOOTSTRAP));
        WebArchive war = Deployments.demoWith(name, all);
        File file = dir.resolve(name).toFile();
        war.as(ZipExporter.class).exportTo(file, true);
        return file;
    }

    private static JsonObject create(Http http, String body) {
        Http.Response created = http.post("api/api-keys", body, "X-API-Key", BOOTSTRAP);
        assertEquals(201, created.status(), created.toString());
        return created.json();
    }

    @Test
    void oneNodeAdmitsExactlyTheLimitThen429WithRetryAfterAndAChangedLimitAppliesAtOnce() throws Exception {
        Path dir = PayaraProcess.freshDir(Path.of(System.getProperty("apiauth.build", "target"), "rate-limit-one"));
        try (PayaraProcess payara = PayaraProcess.start(war(dir, "limits.war", Map.of("apiauth.backend", "memory")), dir, "one.log")) {
            payara.awaitBoot();
            Http http = new Http(new URL(payara.baseUrl()));
            JsonObject key = create(http, "{\"name\":\"limited\",\"ownerId\":\"rl\",\"rateLimit\":{\"requests\":5,\"per\":\"PT1H\"}}");
            assertEquals("{\"requests\":5,\"per\":\"PT1H\"}", key.getJsonObject("rateLimit").toString());
            String plaintext = key.getString("key");
            for (int i = 1; i <= 5; i++) {
                Http.Response ok = http.get("api/hello", "X-API-Key", plaintext);
                assertEquals(200, ok.status(), ok.toString());
                assertEquals("\"apikey\";q=5;w=3600", ok.header("RateLimit-Policy"));
                assertTrue(ok.header("RateLimit").startsWith("\"apikey\";r=" + (5 - i) + ";t="), ok.header("RateLimit"));
            }
            Http.Response refused = http.get("api/hello", "X-API-Key", plaintext);
            assertEquals(429, refused.status(), refused.toString());
            assertEquals("application/problem+json", refused.header("Content-Type"));
            assertEquals("rate-limited", refused.json().getString("reason"));
            long retryAfter = Long.parseLong(refused.header("Retry-After"));
            assertTrue(retryAfter > 700 && retryAfter <= 720, "one request per 12 minutes: " + retryAfter);
            assertEquals("\"apikey\";q=5;w=3600", refused.header("RateLimit-Policy"));
            assertTrue(refused.header("RateLimit").startsWith("\"apikey\";r=0;t="), refused.header("RateLimit"));
            assertEquals(429, http.get("api/hello", "X-API-Key", plaintext).status(), "refusals do not refill");

            Http.Response self = http.get("api/api-keys/self", "X-API-Key", plaintext);
            assertEquals(429, self.status(), "the management API's self endpoint counts like any other: " + self);

            Http.Response raised = http.patch("api/api-keys/" + key.getString("id"), "{\"rateLimit\":{\"requests\":1000,\"per\":\"PT1S\"}}",
                    "X-API-Key", BOOTSTRAP);
            assertEquals(200, raised.status(), raised.toString());
            assertEquals(1000, raised.json().getJsonObject("rateLimit").getInt("requests"));
            Thread.sleep(20); // 1000/s refills a request per millisecond
            assertEquals(200, http.get("api/hello", "X-API-Key", plaintext).status(), "the new limit applies to the next request");
            Http.Response removed = http.patch("api/api-keys/" + key.getString("id"), "{\"rateLimit\":null}", "X-API-Key", BOOTSTRAP);
            assertEquals(200, removed.status(), removed.toString());
            Http.Response unlimited = http.get("api/hello", "X-API-Key", plaintext);
            assertEquals(200, unlimited.status());
            assertNull(unlimited.header("RateLimit"), "no limit, no fields");
            Http.Response bad = http.patch("api/api-keys/" + key.getString("id"), "{\"rateLimit\":{\"requests\":0,\"per\":\"PT1M\"}}",
                    "X-API-Key", BOOTSTRAP);
            assertEquals(400, bad.status(), bad.toString());
            assertTrue(bad.body().contains("rateLimit.requests"), bad.body());
            assertEquals(403, http.patch("api/api-keys/" + key.getString("id"), "{\"rateLimit\":null}", "X-API-Key", plaintext).status(),
                    "changing a limit needs the management scope");
            assertEquals(401, http.patch("api/api-keys/" + key.getString("id"), "{\"rateLimit\":null}").status());
        }
    }

    @Test
    void twoNodesOnRedisShareOneExactCountUnderABurst() throws Exception {
        Path dir = PayaraProcess.freshDir(Path.of(System.getProperty("apiauth.build", "target"), "rate-limit-two"));
        File war = war(dir, "limits.war", Map.of("apiauth.backend", "redis", "apiauth.redis.namespace", NAMESPACE));
        try (PayaraProcess a = PayaraProcess.start(war, dir, "a.log"); PayaraProcess b = PayaraProcess.start(war, dir, "b.log")) {
            a.awaitBoot();
            b.awaitBoot();
            List<Http> nodes = List.of(new Http(new URL(a.baseUrl())), new Http(new URL(b.baseUrl())));
            for (int round = 0; round < 3; round++) {
                String plaintext = create(nodes.get(0), "{\"name\":\"shared\",\"ownerId\":\"rl2\",\"rateLimit\":{\"requests\":40,\"per\":\"PT1H\"}}")
                        .getString("key");
                int[] counts = burst(nodes, plaintext, 6, 25);
                System.out.println("rate limit 40/PT1H, two nodes on Redis, 150 requests in a burst from 6 clients: "
                        + counts[0] + " x 200, " + counts[1] + " x 429, " + counts[2] + " other");
                assertEquals(40, counts[0], "accepted across both nodes");
                assertEquals(110, counts[1]);
            }
        }
    }

    @Test
    void withRedisStoppedMidRunTheNodeCountsAloneAndNothingIsRefusedBecauseOfTheLimiter() throws Exception {
        Path dir = PayaraProcess.freshDir(Path.of(System.getProperty("apiauth.build", "target"), "rate-limit-outage"));
        try (OwnRedisServer redis = new OwnRedisServer(false)) {
            File war = war(dir, "limits.war", Map.of("apiauth.backend", "redis-cache", "apiauth.cache.primary", "memory",
                    "apiauth.redis.address", redis.address(), "apiauth.redis.namespace", NAMESPACE));
            try (PayaraProcess payara = PayaraProcess.start(war, dir, "outage.log")) {
                payara.awaitBoot();
                Http http = new Http(new URL(payara.baseUrl()));
                String plaintext = create(http, "{\"name\":\"outage\",\"ownerId\":\"rl3\",\"rateLimit\":{\"requests\":10,\"per\":\"PT1H\"}}")
                        .getString("key");
                for (int i = 0; i < 4; i++) {
                    assertEquals(200, http.get("api/hello", "X-API-Key", plaintext).status(), "counted in Redis");
                }
                redis.stop();
                int[] counts = burst(List.of(http), plaintext, 4, 10);
                System.out.println("rate limit 10/PT1H, Redis stopped after 4 requests, 40 more: " + counts[0] + " x 200, "
                        + counts[1] + " x 429, " + counts[2] + " other");
                assertEquals(0, counts[2], "no 503 or other failure while the limiter's Redis is down: " + payara.log());
                assertEquals(6, counts[0], "the node goes on from the last count Redis gave it: 10 - 4, exactly");
                assertTrue(payara.log().contains("rate limits are counted on each node alone"), "said so");
            }
        }
    }

    /** {accepted, 429, other}: {@code clients} threads spread over {@code nodes}, {@code each} requests apiece, released together. */
    private static int[] burst(List<Http> nodes, String key, int clients, int each) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<int[]>> results = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                Http http = nodes.get(c % nodes.size());
                results.add(pool.submit(() -> {
                    int[] counts = new int[3];
                    start.await();
                    for (int i = 0; i < each; i++) {
                        int status = http.get("api/hello", "X-API-Key", key).status();
                        counts[status == 200 ? 0 : status == 429 ? 1 : 2]++;
                    }
                    return counts;
                }));
            }
            start.countDown();
            int[] total = new int[3];
            for (Future<int[]> result : results) {
                int[] counts = result.get(120, TimeUnit.SECONDS);
                for (int i = 0; i < 3; i++) {
                    total[i] += counts[i];
                }
            }
            return total;
        } finally {
            pool.shutdownNow();
        }
    }
}
