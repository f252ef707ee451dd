package dev.apiauth.backend.redis;

import dev.apiauth.backend.Backend;
import org.junit.jupiter.api.BeforeAll;

/** The backend contract on a local Sentinel-managed master and replica: {@code redis} with the near cache. */
class SentinelRedisContractTest extends TopologyContract {

    @BeforeAll
    static void topology() throws InterruptedException {
        start("sentinel");
    }

    @Override
    String kind() {
        return "sentinel";
    }

    @Override
    protected Backend newBackend() {
        return redis(namespace(), true);
    }
}
