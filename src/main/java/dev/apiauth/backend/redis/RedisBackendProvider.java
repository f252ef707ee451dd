package dev.apiauth.backend.redis;

import dev.apiauth.backend.NearCacheSettings;
import dev.apiauth.backend.Backend;
import dev.apiauth.backend.BackendProvider;
import dev.apiauth.internal.ConfigReader;
import java.time.Duration;
import java.util.Set;
import org.redisson.api.RedissonClient;

/** {@code apiauth.backend=redis}: {@link RedisBackend}. */
public final class RedisBackendProvider implements BackendProvider {

    /** How long an expired key stays in Redis (refused as expired, listed) before Redis drops it. */
    static final String EXPIRED_RETENTION = "apiauth.redis.expired-retention";

    @Override
    public String name() {
        return "redis";
    }

    @Override
    public Set<String> applicationBeanTypes() {
        return Set.of(RedisClients.CLIENT_TYPE);
    }

    @Override
    public Backend create(Context context) {
        RedisClients.requireRedisson(name());
        ConfigReader in = new ConfigReader(context::config);
        Duration retention = in.positiveDuration(EXPIRED_RETENTION, RedisBackend.DEFAULT_EXPIRED_RETENTION);
        NearCacheSettings near = NearCacheSettings.read(in);
        in.throwIfProblems();
        near.requireCaffeine();
        RedissonClient client = RedisClients.client(context);
        String namespace = RedisClients.namespace(context, client.getConfig());
        ReplicaAcks acks = RedisClients.replicaAcks(context, client.getConfig());
        RedisBackend backend = new RedisBackend(client, namespace, retention, near, acks, System::nanoTime);
        context.onClose(backend);
        java.util.logging.Logger.getLogger(RedisBackendProvider.class.getName()).info("API keys in Redis namespace " + namespace
                + ", " + near + ", " + acks);
        return backend;
    }
}
