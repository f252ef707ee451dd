package dev.apiauth.backend.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiauth.ApiAuthMetrics;
import dev.apiauth.ApiKeyService;
import dev.apiauth.GeneratedKey;
import dev.apiauth.KeyRequest;
import dev.apiauth.ScopeRequirement;
import dev.apiauth.backend.memory.MemoryBackend;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;

/**
 * An application whose Redis is down when it starts still starts (redis-cache answers from its primary), and its near
 * cache joins by itself once Redis is reachable: the subscription is made, and retried, off the deploying thread.
 */
class NearCacheStartTest {

    @Test
    void startsWithRedisDownAndTheNearCacheJoinsWhenRedisComesUp() throws Exception {
        try (OwnRedisServer redis = new OwnRedisServer(false)) {
            redis.stop();
            RedissonClient client = TestRedis.client(redis.address(), false);
            List<String> seen = new CopyOnWriteArrayList<>();
            ApiAuthMetrics metrics = new ApiAuthMetrics() {
                @Override
                public void cache(String layer, boolean hit) {
                    seen.add(layer + (hit ? " hit" : " miss"));
                }
            };
            long started = System.nanoTime();
            try (RedisCacheBackend cache = new RedisCacheBackend(client, new MemoryBackend(), TestRedis.namespace(),
                    Duration.ofMinutes(5), Duration.ofSeconds(5), true);
                 ApiKeyService service = ApiKeyService.builder(cache).usageTracking(false, null).metrics(metrics).build()) {
                assertTrue(System.nanoTime() - started < 3_000_000_000L, "building it does not wait on Redis");
                GeneratedKey key = service.create(KeyRequest.of("n", "o"));
                assertTrue(service.validator().validate(key.plaintext(), ScopeRequirement.ANY_KEY).isValid(), "the primary answers");

                redis.start();
                long deadline = System.nanoTime() + 20_000_000_000L;
                do {
                    seen.clear();
                    service.validator().validate(key.plaintext(), ScopeRequirement.ANY_KEY);
                    Thread.sleep(50);
                } while (!seen.equals(List.of("near hit")) && System.nanoTime() < deadline);
                assertEquals(List.of("near hit"), seen, "the near cache subscribed once Redis came up, and serves");
            } finally {
                client.shutdown();
            }
        }
    }
}
