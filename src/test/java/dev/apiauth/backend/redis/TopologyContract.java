package dev.apiauth.backend.redis;

import dev.apiauth.backend.Backend;
import dev.apiauth.backend.BackendContract;
import dev.apiauth.backend.NearCacheSettings;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.redisson.api.RedissonClient;

/**
 * The backend contract on a Redis Cluster (three masters, three replicas) and on a Sentinel-managed master and
 * replica, each of the test's own: {@code redis} without and with the near cache, {@code redis-cache} in front of the
 * memory backend with it. Every change that takes access away waits for a replica, as it does by default on these
 * topologies. On the cluster the namespace is the one the library picks by default, {@code {apiauth}:}. Each
 * subclass (ClusterRedisContractTest, ...) starts its own topology.
 */
abstract class TopologyContract extends BackendContract {

    static RedisTopology topology;
    static RedissonClient client;

    static void start(String kind) throws InterruptedException {
        topology = RedisTopology.start(kind);
        client = topology.client();
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (client != null) {
            client.shutdown();
        }
        if (topology != null) {
            topology.close();
        }
    }

    abstract String kind();

    String namespace() {
        return kind().equals("cluster") ? RedisClients.DEFAULT_CLUSTER_NAMESPACE : RedisClients.DEFAULT_NAMESPACE;
    }

    @Override
    protected void release(Backend backend) {
        if (backend instanceof RedisBackend redis) {
            redis.close();
        } else if (backend instanceof RedisCacheBackend cache) {
            cache.close();
        }
    }

    static RedisBackend redis(String namespace, boolean near) {
        return new RedisBackend(client, namespace, RedisBackend.DEFAULT_EXPIRED_RETENTION,
                near ? NearCacheSettings.on(Duration.ofMinutes(5), Duration.ofSeconds(5)) : NearCacheSettings.OFF);
    }
}
