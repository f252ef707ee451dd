package dev.apiauth.backend.redis;

import dev.apiauth.backend.Backend;
import org.junit.jupiter.api.BeforeAll;

/** The backend contract on a local Redis Cluster: {@code redis} with the near cache. */
class ClusterRedisNearCacheContractTest extends TopologyContract {

    @BeforeAll
    static void topology() throws InterruptedException {
        start("cluster");
    }

    @Override
    String kind() {
        return "cluster";
    }

    @Override
    protected Backend newBackend() {
        return redis(namespace(), true);
    }
}
