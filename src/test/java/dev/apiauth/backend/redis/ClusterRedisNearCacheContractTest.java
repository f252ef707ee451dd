package dev.apiauth.backend.redis;

import dev.apiauth.backend.Backend;

/** The backend contract on a local Redis Cluster: {@code redis} with the near cache. */
class ClusterRedisNearCacheContractTest extends ClusterRedisContractTest {

    @Override
    protected Backend newBackend() {
        return redis(namespace(), true);
    }
}
