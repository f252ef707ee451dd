package dev.apiauth.backend.redis;

import dev.apiauth.backend.NearCacheSettings;
import dev.apiauth.backend.Backend;
import java.time.Duration;

/** The backend contract on Redis with the near cache on: what it answers from memory never contradicts what was written. */
class RedisNearCacheContractTest extends RedisBackendContractTest {

    @Override
    protected Backend newBackend() {
        return new RedisBackend(client, namespace, RedisBackend.DEFAULT_EXPIRED_RETENTION,
                NearCacheSettings.on(Duration.ofMinutes(5), Duration.ofSeconds(5)));
    }

    @Override
    protected void release(Backend backend) {
        ((RedisBackend) backend).close();
    }
}
