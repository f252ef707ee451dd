package dev.apiauth.backend.redis;

import dev.apiauth.backend.NearCacheSettings;
import dev.apiauth.ApiAuthConfigurationException;
import dev.apiauth.backend.Backend;
import dev.apiauth.backend.BackendProvider;
import dev.apiauth.internal.ConfigReader;
import java.time.Duration;
import java.util.Set;
import org.redisson.api.RedissonClient;
import java.util.logging.Logger;

/**
 * {@code apiauth.backend=redis-cache}: {@link RedisCacheBackend} in front of {@code apiauth.cache.primary}
 * (default {@code jpa}), entries kept {@code apiauth.cache.ttl} (default 300 s), absent keys
 * {@code apiauth.cache.negative-ttl} (default 5 s), near cache with {@code apiauth.cache.local=true}.
 */
public final class RedisCacheBackendProvider implements BackendProvider {

    private static final Logger LOG = Logger.getLogger(RedisCacheBackendProvider.class.getName());
    static final String PRIMARY = "apiauth.cache.primary";
    static final String TTL = NearCacheSettings.TTL;
    static final String NEGATIVE_TTL = NearCacheSettings.NEGATIVE_TTL;
    static final String LOCAL = NearCacheSettings.LOCAL;

    @Override
    public String name() {
        return "redis-cache";
    }

    @Override
    public Set<String> applicationBeanTypes() {
        return Set.of(RedisClients.CLIENT_TYPE);
    }

    @Override
    public Backend create(Context context) {
        RedisClients.requireRedisson(name());
        ConfigReader in = new ConfigReader(context::config);
        String primaryName = in.string(PRIMARY, "jpa");
        NearCacheSettings near = NearCacheSettings.read(in);
        Duration ttl = near.ttl();
        Duration negativeTtl = near.negativeTtl();
        boolean local = near.enabled();
        if (primaryName.equals(name())) {
            in.problem(PRIMARY, primaryName, "the backend behind the cache, e.g. jpa");
        }
        in.throwIfProblems();
        near.requireCaffeine();
        Backend primary;
        try {
            primary = context.backend(primaryName);
        } catch (IllegalArgumentException e) {
            throw new ApiAuthConfigurationException(PRIMARY + "=" + primaryName + " is invalid: " + e.getMessage());
        }
        RedissonClient client = RedisClients.client(context);
        String namespace = RedisClients.namespace(context, client.getConfig());
        ReplicaAcks acks = RedisClients.replicaAcks(context, client.getConfig());
        RedisCacheBackend cache = new RedisCacheBackend(client, primary, namespace, ttl, negativeTtl, local, near.maxStaleness(),
                acks, System::nanoTime);
        context.onClose(cache);
        LOG.info("API key cache: Redis namespace " + namespace + " in front of '" + primaryName + "', ttl " + ttl
                + ", negative ttl " + negativeTtl + ", " + near + ", " + acks);
        return cache;
    }
}
