package dev.apiauth.backend.redis;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.UUID;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

/**
 * The machine's Redis (127.0.0.1:6379) under a namespace of each test class's own, deleted afterwards; nothing
 * else is ever flushed. Unreachable: a failure under CI=true, a skip with a message elsewhere.
 */
public final class TestRedis {

    public static final String ADDRESS = System.getProperty("apiauth.test.redis.address", "redis://127.0.0.1:6379");

    private TestRedis() {
    }

    public static String namespace() {
        return "apiauth-test:" + UUID.randomUUID().toString().substring(0, 8) + ":";
    }

    public static RedissonClient client() {
        return client(ADDRESS, true);
    }

    /** A client; with {@code requireUp}, fails (CI) or skips (elsewhere) when Redis does not answer. */
    public static RedissonClient client(String address, boolean requireUp) {
        Config config = new Config();
        config.setLazyInitialization(!requireUp);
        config.useSingleServer().setAddress(address).setTimeout(1000).setConnectTimeout(1000).setRetryAttempts(0)
                .setConnectionMinimumIdleSize(1).setSubscriptionConnectionMinimumIdleSize(1);
        try {
            return Redisson.create(config);
        } catch (RuntimeException e) {
            String message = "Redis is not reachable at " + address + " (" + e.getMessage() + "); the Redis tests need it."
                    + " Start it with the command in shared/STACK.md.";
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError(message, e);
            }
            assumeTrue(false, message);
            throw e;
        }
    }

    /** Deletes every key of the namespace, and only those. */
    public static void deleteNamespace(RedissonClient client, String namespace) {
        client.getKeys().deleteByPattern(namespace + "*");
    }
}
