package dev.apiauth.backend.redis;

import dev.apiauth.backend.Backend;
import java.time.Duration;
import org.redisson.api.RedissonClient;

/** One Redis client and namespace per test class, deleted afterwards. */
final class RedisCacheFixture implements AutoCloseable {

    final RedissonClient client = TestRedis.client();
    final String namespace = TestRedis.namespace();

    RedisCacheBackend cache(Backend primary, boolean near) {
        return new RedisCacheBackend(client, primary, namespace, Duration.ofSeconds(300), Duration.ofSeconds(5), near);
    }

    @Override
    public void close() {
        TestRedis.deleteNamespace(client, namespace);
        client.shutdown();
    }
}
