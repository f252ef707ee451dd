package dev.apiauth.backend.redis;

import dev.apiauth.backend.Backend;
import dev.apiauth.backend.memory.MemoryBackend;
import java.time.Duration;

/** The backend contract on a local Redis Cluster: {@code redis-cache} over memory, with the near cache. */
class ClusterRedisCacheContractTest extends ClusterRedisContractTest {

    @Override
    protected Backend newBackend() {
        return new RedisCacheBackend(client, new MemoryBackend(), namespace(), Duration.ofMinutes(5), Duration.ofSeconds(5), true);
    }
}
