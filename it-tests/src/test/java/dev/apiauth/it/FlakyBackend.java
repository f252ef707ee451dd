package dev.apiauth.it;

import dev.apiauth.ApiKey;
import dev.apiauth.backend.Backend;
import dev.apiauth.backend.BackendException;
import dev.apiauth.backend.memory.MemoryBackend;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/** An application's own backend, selected with apiauth.backend=flaky; its lookups fail on demand. */
@ApplicationScoped
@Named("flaky")
public class FlakyBackend implements Backend {

    private final MemoryBackend store = new MemoryBackend();
    private final AtomicInteger lookups = new AtomicInteger();
    private volatile boolean failing;

    public void setFailing(boolean failing) {
        this.failing = failing;
    }

    public int lookups() {
        return lookups.get();
    }

    @Override
    public Optional<ApiKey> getByHash(String keyHash) {
        lookups.incrementAndGet();
        if (failing) {
            throw new BackendException("flaky backend is down (test)");
        }
        return store.getByHash(keyHash);
    }

    @Override
    public Optional<ApiKey> getById(UUID id) {
        return store.getById(id);
    }

    @Override
    public ApiKey create(ApiKey key) {
        return store.create(key);
    }

    @Override
    public ApiKey update(ApiKey key) {
        return store.update(key);
    }

    @Override
    public void delete(UUID id) {
        store.delete(id);
    }

    @Override
    public List<ApiKey> listByOwner(String ownerId) {
        return store.listByOwner(ownerId);
    }
}
