package dev.apiauth.backend.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiauth.ApiAuthMetrics;
import dev.apiauth.ApiKeyService;
import dev.apiauth.GeneratedKey;
import dev.apiauth.KeyRequest;
import dev.apiauth.ScopeRequirement;
import dev.apiauth.backend.memory.MemoryBackend;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** redis-cache reports each lookup in each of its layers to the service's metrics: a hit, or a miss and the next layer. */
class RedisCacheMetricsTest {

    private static RedisCacheFixture fixture;

    @BeforeAll
    static void connect() {
        fixture = new RedisCacheFixture();
    }

    @AfterAll
    static void cleanUp() {
        fixture.close();
    }

    private static final class Recording implements ApiAuthMetrics {
        final List<String> seen = new CopyOnWriteArrayList<>();

        @Override
        public void cache(String layer, boolean hit) {
            seen.add(layer + (hit ? " hit" : " miss"));
        }
    }

    @Test
    void aCreatedKeyIsAHitAndAnUnknownOneAMissThenAHitOfItsNegativeEntry() {
        Recording metrics = new Recording();
        try (RedisCacheBackend cache = fixture.cache(new MemoryBackend(), false);
             ApiKeyService service = ApiKeyService.builder(cache).usageTracking(false, null).metrics(metrics).build()) {
            GeneratedKey key = service.create(KeyRequest.of("n", "o")); // written through to the cache
            String unknown = new dev.apiauth.internal.KeyCodec("ak_").generate();
            metrics.seen.clear();
            assertTrue(service.validator().validate(key.plaintext(), ScopeRequirement.ANY_KEY).isValid());
            service.validator().validate(unknown, ScopeRequirement.ANY_KEY);
            service.validator().validate(unknown, ScopeRequirement.ANY_KEY);
            assertEquals(List.of("redis hit", "redis miss", "redis hit"), metrics.seen);
        }
    }

    @Test
    void withTheNearCacheItsHitsSpareRedis() throws Exception {
        Recording metrics = new Recording();
        try (RedisCacheBackend cache = fixture.cache(new MemoryBackend(), true);
             ApiKeyService service = ApiKeyService.builder(cache).usageTracking(false, null).metrics(metrics).build()) {
            GeneratedKey key = service.create(KeyRequest.of("n", "o"));
            // the near cache answers once its subscription is confirmed
            long deadline = System.nanoTime() + 5_000_000_000L;
            do {
                metrics.seen.clear();
                service.validator().validate(key.plaintext(), ScopeRequirement.ANY_KEY);
                Thread.sleep(10);
            } while (!metrics.seen.equals(List.of("near hit")) && System.nanoTime() < deadline);
            assertEquals(List.of("near hit"), metrics.seen, "a near-cache hit asks Redis nothing");
            String unknown = new dev.apiauth.internal.KeyCodec("ak_").generate();
            metrics.seen.clear();
            service.validator().validate(unknown, ScopeRequirement.ANY_KEY);
            assertEquals(List.of("near miss", "redis miss"), metrics.seen);
        }
    }
}
