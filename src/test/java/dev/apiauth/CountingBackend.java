package dev.apiauth;

import dev.apiauth.backend.Backend;
import dev.apiauth.backend.BackendException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/** Wraps a backend, counts calls, and fails every call while {@link #failing} is set. */
public final class CountingBackend implements Backend {

    public final AtomicInteger reads = new AtomicInteger();
    public final AtomicInteger writes = new AtomicInteger();
    public volatile boolean failing;
    private final Backend delegate;

    public CountingBackend(Backend delegate) {
        this.delegate = delegate;
    }

    private void check() {
        if (failing) {
            throw new BackendException("simulated outage");
        }
    }

    @Override
    public Optional<ApiKey> getByHash(String keyHash) {
        reads.incrementAndGet();
        check();
        return delegate.getByHash(keyHash);
    }

    @Override
    public Optional<ApiKey> getById(UUID id) {
        reads.incrementAndGet();
        check();
        return delegate.getById(id);
    }

    @Override
    public ApiKey create(ApiKey key) {
        writes.incrementAndGet();
        check();
        return delegate.create(key);
    }

    @Override
    public ApiKey update(ApiKey key) {
        writes.incrementAndGet();
        check();
        return delegate.update(key);
    }

    @Override
    public void delete(UUID id) {
        writes.incrementAndGet();
        check();
        delegate.delete(id);
    }

    @Override
    public List<ApiKey> listByOwner(String ownerId) {
        reads.incrementAndGet();
        check();
        return delegate.listByOwner(ownerId);
    }
}
