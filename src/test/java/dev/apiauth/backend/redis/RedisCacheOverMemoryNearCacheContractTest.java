package dev.apiauth.backend.redis;

/** The backend contract on the Redis cache in front of the memory backend, with the near cache. */
class RedisCacheOverMemoryNearCacheContractTest extends RedisCacheOverMemoryContractTest {

    @Override
    protected boolean nearCache() {
        return true;
    }
}
