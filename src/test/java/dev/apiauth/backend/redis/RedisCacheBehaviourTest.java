package dev.apiauth.backend.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiauth.ApiKey;
import dev.apiauth.ApiKeyService;
import dev.apiauth.CountingBackend;
import dev.apiauth.GeneratedKey;
import dev.apiauth.KeyRequest;
import dev.apiauth.ScopeRequirement;
import dev.apiauth.ValidationResult.Outcome;
import dev.apiauth.backend.memory.MemoryBackend;
import dev.apiauth.internal.KeyCodec;
import dev.apiauth.internal.KeyHasher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.redisson.api.RType;
import org.redisson.api.RedissonClient;
import org.redisson.api.options.KeysScanOptions;
import org.redisson.client.codec.StringCodec;

/** What the cache is for, on the real Redis: fewer primary reads, no stale revocations, nothing secret stored. */
class RedisCacheBehaviourTest {

    private RedisCacheFixture redis;
    private CountingBackend primary;

    @BeforeEach
    void connect() {
        redis = new RedisCacheFixture();
        primary = new CountingBackend(new MemoryBackend());
    }

    @AfterEach
    void disconnect() {
        redis.close();
    }

    private static Outcome check(ApiKeyService service, String key) {
        return service.validator().validate(key, ScopeRequirement.ANY_KEY).outcome();
    }

    @Test
    void repeatedLookupsReadThePrimaryOnce() {
        ApiKeyService direct = ApiKeyService.builder(primary).usageTracking(false, null).build();
        GeneratedKey key = direct.create(KeyRequest.of("k", "o")); // written behind the cache's back
        ApiKeyService cached = ApiKeyService.builder(redis.cache(primary, false)).usageTracking(false, null).build();
        int before = primary.reads.get();
        for (int i = 0; i < 50; i++) {
            assertEquals(Outcome.VALID, check(cached, key.plaintext()));
        }
        assertEquals(before + 1, primary.reads.get(), "one read-through, then Redis answers");
    }

    @Test
    void floodsOfUnknownKeysReachThePrimaryOncePerKey() {
        ApiKeyService cached = ApiKeyService.builder(redis.cache(primary, false)).usageTracking(false, null).build();
        String unknown = new KeyCodec("ak_").generate();
        int before = primary.reads.get();
        for (int i = 0; i < 100; i++) {
            assertEquals(Outcome.UNKNOWN, check(cached, unknown));
        }
        assertEquals(before + 1, primary.reads.get(), "absent keys are cached too (negative cache)");
    }

    @Test
    void aKeyCreatedAfterANegativeLookupWorksAtOnce() {
        RedisCacheBackend cache = redis.cache(primary, true);
        ApiKey record = new ApiKey(java.util.UUID.randomUUID(), "k", "o", KeyHasher.unpeppered().hash("x"), "ak_xxxx",
                java.util.Set.of(), java.time.Instant.now(), null, null, null, Map.of(), 0);
        assertTrue(cache.getByHash(record.keyHash()).isEmpty());
        cache.create(record);
        assertTrue(cache.getByHash(record.keyHash()).isPresent(), "the create overwrote the negative entry");
        cache.close();
    }

    @Test
    void revocationOnOneNodeIsRefusedByAnotherWithinASecond() throws Exception {
        for (boolean near : new boolean[] {false, true}) {
            RedissonClient otherClient = TestRedis.client();
            RedisCacheBackend nodeA = redis.cache(primary, near);
            RedisCacheBackend nodeB = new RedisCacheBackend(otherClient, primary, redis.namespace, Duration.ofMinutes(5),
                    Duration.ofSeconds(5), near);
            ApiKeyService a = ApiKeyService.builder(nodeA).usageTracking(false, null).build();
            ApiKeyService b = ApiKeyService.builder(nodeB).usageTracking(false, null).build();
            GeneratedKey key = a.create(KeyRequest.of("k", "o"));
            for (int i = 0; i < 10; i++) {
                assertEquals(Outcome.VALID, check(b, key.plaintext()), "cached on node B");
            }
            long start = System.nanoTime();
            a.revoke(key.record().id());
            Outcome seen = check(b, key.plaintext());
            while (seen == Outcome.VALID && System.nanoTime() - start < 1_000_000_000L) {
                Thread.sleep(1);
                seen = check(b, key.plaintext());
            }
            long micros = (System.nanoTime() - start) / 1000;
            System.out.println("revocation on node A refused by node B after " + micros + " us (near cache " + near + ")");
            assertEquals(Outcome.REVOKED, seen, "node B still accepted the key 1 s after node A revoked it (near cache " + near + ")");
            nodeA.close();
            nodeB.close();
            otherClient.shutdown();
        }
    }

    @Test
    void redisHoldsNoPlaintextKeyAndNoSecret() {
        List<String> plaintexts = new ArrayList<>();
        ApiKeyService onRedis = ApiKeyService.builder(new RedisBackend(redis.client, redis.namespace + "store:"))
                .usageTracking(true, null).build();
        ApiKeyService onCache = ApiKeyService.builder(redis.cache(primary, true)).usageTracking(true, null).build();
        for (ApiKeyService service : List.of(onRedis, onCache)) {
            for (int i = 0; i < 5; i++) {
                GeneratedKey key = service.create(new KeyRequest("k" + i, "owner-" + i, java.util.Set.of("read"), null,
                        Map.of("note", "scan me")));
                plaintexts.add(key.plaintext());
                assertEquals(Outcome.VALID, check(service, key.plaintext()));
                service.rotate(key.record().id(), Duration.ofMinutes(1));
            }
            service.flushUsage();
        }
        StringBuilder everything = new StringBuilder();
        int keys = 0;
        for (String name : redis.client.getKeys().getKeys(KeysScanOptions.defaults().pattern(redis.namespace + "*"))) {
            keys++;
            everything.append(name).append('\n');
            RType type = redis.client.getKeys().getType(name);
            switch (type) {
                case OBJECT -> everything.append(redis.client.getBucket(name, StringCodec.INSTANCE).get());
                case MAP -> everything.append(redis.client.getMap(name, StringCodec.INSTANCE).readAllMap());
                case ZSET -> everything.append(redis.client.getScoredSortedSet(name, StringCodec.INSTANCE).readAll());
                default -> everything.append(type);
            }
            everything.append('\n');
        }
        assertTrue(keys >= 20, "the scan saw what the test wrote: " + keys + " keys");
        String dump = everything.toString();
        for (String plaintext : plaintexts) {
            assertFalse(dump.contains(plaintext), "a plaintext key is in Redis");
            assertFalse(dump.contains(plaintext.substring(3 + 4, plaintext.length() - 6)), "a key's secret is in Redis");
            assertTrue(dump.contains(KeyHasher.unpeppered().hash(plaintext)), "records are stored under the key's hash");
        }
    }
}
