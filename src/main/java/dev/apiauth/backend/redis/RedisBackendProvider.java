package dev.apiauth.backend.redis;

import dev.apiauth.backend.Backend;
import dev.apiauth.backend.BackendProvider;
import java.util.Set;

/** {@code apiauth.backend=redis}: {@link RedisBackend}. */
public final class RedisBackendProvider implements BackendProvider {

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
        String namespace = RedisClients.namespace(context);
        return new RedisBackend(RedisClients.client(context), namespace);
    }
}
