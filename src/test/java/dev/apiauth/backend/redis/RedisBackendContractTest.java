package dev.apiauth.backend.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiauth.ApiKey;
import dev.apiauth.backend.Backend;
import dev.apiauth.backend.BackendContract;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/** The backend contract on the real Redis, plus what Redis does itself: dropping keys at their expiry. */
class RedisBackendContractTest extends BackendContract {

    static RedissonClient client;
    static String namespace;

    @BeforeAll
    static void connect() {
        client = TestRedis.client();
        namespace = TestRedis.namespace();
    }

    @AfterAll
    static void disconnect() {
        if (client != null) {
            TestRedis.deleteNamespace(client, namespace);
            client.shutdown();
        }
    }

    @Override
    protected Backend newBackend() {
        return new RedisBackend(client, namespace);
    }

    @Test
    void redisDropsAnExpiredKeyOnlyAfterTheRetention() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        ApiKey key = new ApiKey(UUID.randomUUID(), "short", owner("ttl"), randomHash(), "ak_Ttl0", Set.of(), now.minusSeconds(60),
                now.minusSeconds(10), null, null, Map.of(), 0);
        Backend retaining = new RedisBackend(client, namespace, java.time.Duration.ofHours(1));
        retaining.create(key);
        for (String redisKey : new String[] {namespace + "key:" + key.keyHash(), namespace + "id:" + key.id()}) {
            long ttl = client.getKeys().remainTimeToLive(redisKey);
            assertTrue(ttl > 3_580_000 && ttl <= 3_590_000, redisKey + ": dropped one hour after expiresAt, in " + ttl + " ms");
        }
        assertTrue(retaining.getByHash(key.keyHash()).orElseThrow().isExpiredAt(now), "found, and expired");
        Backend dropping = new RedisBackend(client, namespace, java.time.Duration.ZERO);
        ApiKey gone = new ApiKey(UUID.randomUUID(), "short", owner("ttl"), randomHash(), "ak_Ttl0", Set.of(), now.minusSeconds(60),
                now.minusSeconds(10), null, null, Map.of(), 0);
        dropping.create(gone);
        assertTrue(dropping.getByHash(gone.keyHash()).isEmpty(), "without retention Redis drops it at expiresAt");
    }

    @Test
    void lookupByHashIsOneCommandOnOneRedisKey() {
        ApiKey key = backend.create(newKey(owner("layout"), Instant.now().truncatedTo(ChronoUnit.MILLIS)));
        Map<String, String> stored = client.<String, String>getMap(namespace + "key:" + key.keyHash(), StringCodec.INSTANCE).readAllMap();
        assertEquals(Set.of("r", "v", "o"), stored.keySet());
        assertEquals("0", stored.get("v"));
    }
}
