package dev.apiauth.backend.redis;

import dev.apiauth.backend.Backend;
import dev.apiauth.backend.BackendContract;
import dev.apiauth.backend.memory.MemoryBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The backend contract on the Redis cache in front of the memory backend, without the near cache. */
class RedisCacheOverMemoryContractTest extends BackendContract {

    /** Whether the cache under test has a near cache. */
    protected boolean nearCache() {
        return false;
    }

    private static RedisCacheFixture redis;

    @BeforeAll
    static void connect() {
        redis = new RedisCacheFixture();
    }

    @AfterAll
    static void disconnect() {
        if (redis != null) {
            redis.close();
        }
    }

    @Override
    protected Backend newBackend() {
        return redis.cache(new MemoryBackend(), nearCache());
    }

    @Override
    protected void release(Backend backend) {
        ((RedisCacheBackend) backend).close();
    }
}
