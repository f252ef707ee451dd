package dev.apiauth.backend.redis;

import dev.apiauth.backend.Backend;
import dev.apiauth.backend.memory.MemoryBackend;
import java.time.Duration;

/** The backend contract on a local Sentinel-managed master and replica: {@code redis-cache} over memory, with the near cache. */
class SentinelRedisCacheContractTest extends SentinelRedisContractTest {

    @Override
    protected Backend newBackend() {
        return new RedisCacheBackend(client, new MemoryBackend(), namespace(), Duration.ofMinutes(5), Duration.ofSeconds(5), true);
    }
}
