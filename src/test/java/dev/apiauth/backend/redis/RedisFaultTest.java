package dev.apiauth.backend.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiauth.ApiKeyService;
import dev.apiauth.CountingBackend;
import dev.apiauth.GeneratedKey;
import dev.apiauth.KeyRequest;
import dev.apiauth.ScopeRequirement;
import dev.apiauth.ValidationResult.Outcome;
import dev.apiauth.backend.memory.MemoryBackend;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;

/**
 * Redis stopped, hung and restarted under a running service, on a redis-server of the test's own: the Redis
 * backend refuses (never lets a key through) and recovers by itself; the cache serves from the primary,
 * and a revocation made while Redis was unreachable is not undone by a stale cache entry afterwards.
 */
class RedisFaultTest {

    private OwnRedisServer server;
    private RedissonClient client;

    @BeforeEach
    void start() throws Exception {
        server = new OwnRedisServer();
        client = TestRedis.client(server.address(), false);
    }

    @AfterEach
    void stop() throws Exception {
        client.shutdown();
        server.close();
    }

    private static Outcome check(ApiKeyService service, String key) {
        return service.validator().validate(key, ScopeRequirement.ANY_KEY).outcome();
    }

    @Test
    void redisBackendFailsClosedWithoutWaitingAndRecovers() throws Exception {
        ApiKeyService service = ApiKeyService.builder(new RedisBackend(client, "fault:")).usageTracking(false, null).build();
        String key = service.create(KeyRequest.of("k", "o")).plaintext();
        assertEquals(Outcome.VALID, check(service, key));

        server.stop();
        long start = System.nanoTime();
        assertEquals(Outcome.BACKEND_UNAVAILABLE, check(service, key));
        long firstFailureMillis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(firstFailureMillis < 3000, "the first failure is bounded by the client timeouts: " + firstFailureMillis + " ms");
        start = System.nanoTime();
        for (int i = 0; i < 100; i++) {
            assertEquals(Outcome.BACKEND_UNAVAILABLE, check(service, key), "never let through while Redis is down");
        }
        long hundredMillis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(hundredMillis < 500, "while Redis is known to be down requests fail at once: 100 took " + hundredMillis + " ms");

        server.start(); // an empty Redis: the old key is gone with it
        Outcome after = Outcome.BACKEND_UNAVAILABLE;
        for (int i = 0; i < 100 && after == Outcome.BACKEND_UNAVAILABLE; i++) {
            Thread.sleep(100);
            after = check(service, key);
        }
        assertEquals(Outcome.UNKNOWN, after, "Redis answers again without a redeploy");
        GeneratedKey fresh = service.create(KeyRequest.of("k2", "o"));
        assertEquals(Outcome.VALID, check(service, fresh.plaintext()));
    }

    @Test
    void cacheServesFromThePrimaryWhileRedisIsDown() throws Exception {
        CountingBackend primary = new CountingBackend(new MemoryBackend());
        RedisCacheBackend cache = new RedisCacheBackend(client, primary, "fault:", Duration.ofMinutes(5), Duration.ofSeconds(5), true);
        ApiKeyService service = ApiKeyService.builder(cache).usageTracking(false, null).build();
        GeneratedKey key = service.create(KeyRequest.of("k", "o"));
        assertEquals(Outcome.VALID, check(service, key.plaintext()));

        server.stop();
        for (int i = 0; i < 20; i++) {
            assertEquals(Outcome.VALID, check(service, key.plaintext()), "answered from the primary");
        }
        org.junit.jupiter.api.Assertions.assertThrows(dev.apiauth.backend.BackendException.class, () -> service.revoke(key.record().id()),
                "while the cache other nodes read cannot be written, a revocation fails and changes nothing");
        assertEquals(Outcome.VALID, check(service, key.plaintext()), "nothing was claimed, nothing changed");

        primary.failing = true;
        assertEquals(Outcome.BACKEND_UNAVAILABLE, check(service, key.plaintext()), "both down: refused");
        primary.failing = false;

        server.start();
        RuntimeException last = null;
        for (int i = 0; i < 100; i++) { // the retry, once Redis answers (the client reconnects by itself)
            try {
                service.revoke(key.record().id());
                last = null;
                break;
            } catch (dev.apiauth.backend.BackendException e) {
                last = e;
                Thread.sleep(100);
            }
        }
        if (last != null) {
            throw last;
        }
        for (int i = 0; i < 10; i++) {
            assertEquals(Outcome.REVOKED, check(service, key.plaintext()), "confirmed: refused, and the stale entry does not win");
        }
        cache.close();
    }

    @Test
    void revocationWhileRedisHangsIsNotUndoneByTheStaleCacheEntry() throws Exception {
        MemoryBackend primary = new MemoryBackend();
        RedisCacheBackend cache = new RedisCacheBackend(client, primary, "fault:", Duration.ofMinutes(5), Duration.ofSeconds(5), false);
        ApiKeyService service = ApiKeyService.builder(cache).usageTracking(false, null).build();
        GeneratedKey key = service.create(KeyRequest.of("k", "o"));
        assertEquals(Outcome.VALID, check(service, key.plaintext()), "now cached in Redis as active");

        server.pause(2500);
        assertEquals(Outcome.VALID, check(service, key.plaintext()), "Redis times out: answered from the primary");
        org.junit.jupiter.api.Assertions.assertThrows(dev.apiauth.backend.BackendException.class,
                () -> service.revoke(key.record().id()), "Redis is being skipped: the revocation cannot reach the cache now");
        assertEquals(Outcome.VALID, check(service, key.plaintext()), "so it changed nothing");
        Thread.sleep(2700); // Redis answers again, with the active record still in it
        service.revoke(key.record().id());
        for (int i = 0; i < 20; i++) {
            assertEquals(Outcome.REVOKED, check(service, key.plaintext()), "the old entry must not win");
        }
        cache.close();
    }
}
