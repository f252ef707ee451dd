package dev.apiauth.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.apiauth.backend.jpa.TestDatabases;
import dev.apiauth.internal.KeyCodec;
import dev.apiauth.internal.KeyHasher;
import jakarta.json.JsonObject;
import java.io.File;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;

/**
 * Two Payara Micro instances of the demo sharing one PostgreSQL database and one Redis namespace: a key revoked through
 * instance A is refused by instance B within one second (the near cache's staleness bound), in each of 20 repeats while
 * four clients keep loading B: on {@code redis-cache} over JPA without and with the near cache, on {@code redis}
 * with its near cache, and on {@code jpa} with its near cache (the database's change feed, no Redis involved). Prints
 * the distribution of the delays.
 */
class TwoInstancesRevocationIT {

    private static String database;
    private static final String NAMESPACE = "apiauth-it:" + UUID.randomUUID().toString().substring(0, 8) + ":";

    @BeforeAll
    static void createDatabase() {
        database = TestDatabases.uniqueName("cache2");
        TestDatabases.createPostgres(database);
    }

    @AfterAll
    static void cleanUp() {
        if (database != null) {
            TestDatabases.dropPostgres(database);
        }
        RedissonClient redis = RedisDemoIT.redis();
        redis.getKeys().deleteByPattern(NAMESPACE + "*");
        redis.shutdown();
    }

    static final int REPEATS = 20;

    private static JsonObject createKey(Http http, String bootstrap, String owner) {
        Http.Response created = http.post("api/api-keys", "{\"name\":\"two\",\"ownerId\":\"" + owner + "\"}", "X-API-Key", bootstrap);
        assertEquals(201, created.status(), created.toString());
        return created.json();
    }

    @Test
    void revocationThroughOneInstanceIsRefusedByTheOtherWithinASecondInEachOfTwentyRepeatsUnderLoad() throws Exception {
        Path dir = PayaraProcess.freshDir(Path.of(System.getProperty("apiauth.build", "target"), "two-instances"));
        String bootstrap = new KeyCodec("ops_").generate();
        File war = JpaPostgresIT.postgresWar(dir, "cache.war", database, Map.of(
                "apiauth.backend", "redis-cache",
                "apiauth.cache.primary", "jpa",
                "apiauth.jpa.datasource", "java:app/jdbc/apikeys",
                "apiauth.redis.namespace", NAMESPACE,
                "apiauth.management.enabled", "true",
                "apiauth.bootstrap.admin-key-hash", KeyHasher.unpeppered().hash(bootstrap)));
        // redis-cache over jpa without and with the near cache, redis alone with its near cache, then jpa alone with its
        // near cache (same WAR: the environment overrides the application's configuration)
        for (String[] setup : new String[][] {{"redis-cache", "false"}, {"redis-cache", "true"}, {"redis", "true"}, {"jpa", "true"}}) {
            String backend = setup[0];
            boolean near = Boolean.parseBoolean(setup[1]);
            String run = backend + "-" + near;
            Map<String, String> env = Map.of("APIAUTH_BACKEND", backend, "APIAUTH_CACHE_LOCAL", String.valueOf(near));
            try (PayaraProcess a = PayaraProcess.start(war, dir, "a-" + run + ".log", env);
                 PayaraProcess b = PayaraProcess.start(war, dir, "b-" + run + ".log", env)) {
                a.awaitBoot();
                b.awaitBoot();
                Http httpA = new Http(new URL(a.baseUrl()));
                Http httpB = new Http(new URL(b.baseUrl()));
                String loadKey = createKey(httpA, bootstrap, "load-" + run).getString("key");
                java.util.concurrent.atomic.AtomicBoolean loading = new java.util.concurrent.atomic.AtomicBoolean(true);
                java.util.concurrent.atomic.AtomicInteger loadRequests = new java.util.concurrent.atomic.AtomicInteger();
                java.util.concurrent.atomic.AtomicInteger loadFailures = new java.util.concurrent.atomic.AtomicInteger();
                java.util.List<Thread> load = new java.util.ArrayList<>();
                for (int t = 0; t < 4; t++) { // steady traffic on B with a valid key while the revocations happen
                    Thread thread = new Thread(() -> {
                        while (loading.get()) {
                            int code = httpB.get("api/hello", "X-API-Key", loadKey).status();
                            loadRequests.incrementAndGet();
                            if (code != 200) {
                                loadFailures.incrementAndGet();
                            }
                        }
                    });
                    thread.start();
                    load.add(thread);
                }
                long[] delays = new long[REPEATS];
                try {
                    for (int r = 0; r < REPEATS; r++) {
                        JsonObject key = createKey(httpA, bootstrap, "two-" + run + "-" + r);
                        for (int i = 0; i < 5; i++) {
                            assertEquals(200, httpB.get("api/hello", "X-API-Key", key.getString("key")).status(), "B knows the key: " + b.log());
                        }
                        assertEquals(204, httpA.post("api/api-keys/" + key.getString("id") + "/revoke", null, "X-API-Key", bootstrap).status());
                        long revokedAt = System.nanoTime();
                        int status = httpB.get("api/hello", "X-API-Key", key.getString("key")).status();
                        while (status == 200 && System.nanoTime() - revokedAt < 1_000_000_000L) {
                            status = httpB.get("api/hello", "X-API-Key", key.getString("key")).status();
                        }
                        delays[r] = (System.nanoTime() - revokedAt) / 1000;
                        assertEquals(401, status, "B still accepted the key one second after A revoked it (" + backend + ", near cache " + near + ", repeat " + r + ")");
                    }
                } finally {
                    loading.set(false);
                    for (Thread thread : load) {
                        thread.join(10_000);
                    }
                }
                java.util.Arrays.sort(delays);
                System.out.println(backend + ", near cache " + near + ", " + REPEATS + " revocations through A under load on B ("
                        + loadRequests.get() + " load requests, " + loadFailures.get() + " not 200): B refused after min "
                        + delays[0] + " us, median " + delays[REPEATS / 2] + " us, p90 " + delays[REPEATS * 9 / 10] + " us, max "
                        + delays[REPEATS - 1] + " us");
                assertEquals(0, loadFailures.get(), "the valid key kept working under load");
            }
        }
    }
}
