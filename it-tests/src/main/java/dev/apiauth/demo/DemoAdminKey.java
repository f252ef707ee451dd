package dev.apiauth.demo;

import dev.apiauth.ApiAuthConfig;
import dev.apiauth.ApiKey;
import dev.apiauth.ApiKeyService;
import dev.apiauth.GeneratedKey;
import dev.apiauth.KeyRequest;
import dev.apiauth.backend.BackendException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import java.time.Instant;
import java.util.Set;
import java.util.logging.Logger;

/**
 * At startup, when the backend holds no active admin key of the demo, issues one and logs it once.
 * A demo convenience: a real application never logs a key.
 */
@ApplicationScoped
public class DemoAdminKey {

    static final String OWNER = "demo-admin";
    private static final Logger LOG = Logger.getLogger(DemoAdminKey.class.getName());

    void onStart(@Observes @Initialized(ApplicationScoped.class) Object start, ApiKeyService keys, ApiAuthConfig config) {
        Instant now = Instant.now();
        boolean present;
        try {
            present = keys.listByOwner(OWNER).stream()
                    .anyMatch(k -> k.isActiveAt(now) && k.scopes().contains(config.managementScope()));
        } catch (BackendException e) {
            LOG.warning("Demo admin key not created: the key store is not reachable yet (" + e.getMessage() + ")");
            return;
        }
        if (present) {
            LOG.info("Demo admin key already exists (owner " + OWNER + "); not creating another");
            return;
        }
        GeneratedKey key = keys.create(new KeyRequest("demo admin", OWNER, Set.of("admin", config.managementScope()), null, null));
        LOG.info("Demo admin key: " + key.plaintext());
    }
}
