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
 * Two Payara Micro instances of the demo on {@code redis-cache} over JPA, sharing one PostgreSQL database and
 * one Redis namespace (both the test's own): a key revoked through instance A is refused by instance B within
 * one second, with and without the near cache. Prints the measured delay.
 */
class RedisCacheTwoInstancesIT {

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

    @Test
    void revocationThroughOneInstanceIsRefusedByTheOtherWithinASecond() throws Exception {
        Path dir = Files.createDirectories(Path.of(System.getProperty("apiauth.build", "target"), "redis-cache-two"));
        String bootstrap = new KeyCodec("ops_").generate();
        File war = JpaPostgresIT.postgresWar(dir, "cache.war", database, Map.of(
                "apiauth.backend", "redis-cache",
                "apiauth.cache.primary", "jpa",
                "apiauth.jpa.datasource", "java:app/jdbc/apikeys",
                "apiauth.redis.namespace", NAMESPACE,
                "apiauth.management.enabled", "true",
                "apiauth.bootstrap.admin-key-hash", KeyHasher.unpeppered().hash(bootstrap)));
        for (boolean near : new boolean[] {false, true}) {
            Map<String, String> env = Map.of("APIAUTH_CACHE_LOCAL", String.valueOf(near));
            try (PayaraProcess a = PayaraProcess.start(war, dir, "a-" + near + ".log", env);
                 PayaraProcess b = PayaraProcess.start(war, dir, "b-" + near + ".log", env)) {
                a.awaitBoot();
                b.awaitBoot();
                Http httpA = new Http(new URL(a.baseUrl()));
                Http httpB = new Http(new URL(b.baseUrl()));
                Http.Response created = httpA.post("api/api-keys", "{\"name\":\"two\",\"ownerId\":\"two-" + near + "\"}",
                        "X-API-Key", bootstrap);
                assertEquals(201, created.status(), created + "\n" + a.log());
                JsonObject key = created.json();
                for (int i = 0; i < 20; i++) {
                    assertEquals(200, httpB.get("api/hello", "X-API-Key", key.getString("key")).status(), "B knows the key: " + b.log());
                }
                assertEquals(200, httpA.get("api/hello", "X-API-Key", key.getString("key")).status());

                assertEquals(204, httpA.post("api/api-keys/" + key.getString("id") + "/revoke", null, "X-API-Key", bootstrap).status());
                long revokedAt = System.nanoTime();
                int status = httpB.get("api/hello", "X-API-Key", key.getString("key")).status();
                while (status == 200 && System.nanoTime() - revokedAt < 1_000_000_000L) {
                    status = httpB.get("api/hello", "X-API-Key", key.getString("key")).status();
                }
                long millis = (System.nanoTime() - revokedAt) / 1_000_000;
                System.out.println("redis-cache, near cache " + near + ": instance B refused the key revoked through A after "
                        + millis + " ms (" + (status == 401 ? "refused" : "STILL ACCEPTED") + ")");
                assertEquals(401, status, "B still accepted the key one second after A revoked it (near cache " + near + ")");
            }
        }
    }
}
