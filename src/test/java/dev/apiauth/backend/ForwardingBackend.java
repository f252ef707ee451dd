package dev.apiauth.backend;

import dev.apiauth.ApiKey;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** A backend that hands every call to another; tests override the one call they break, pause or count. */
public class ForwardingBackend implements Backend {

    protected final Backend delegate;

    public ForwardingBackend(Backend delegate) {
        this.delegate = delegate;
    }

    @Override
    public Optional<ApiKey> getByHash(String keyHash) {
        return delegate.getByHash(keyHash);
    }

    @Override
    public Optional<ApiKey> getById(UUID id) {
        return delegate.getById(id);
    }

    @Override
    public ApiKey create(ApiKey key) {
        return delegate.create(key);
    }

    @Override
    public ApiKey update(ApiKey key) {
        return delegate.update(key);
    }

    @Override
    public void delete(UUID id) {
        delegate.delete(id);
    }

    @Override
    public void observe(dev.apiauth.ApiAuthMetrics metrics) {
        delegate.observe(metrics);
    }

    @Override
    public java.util.Map<String, String> probe() {
        return delegate.probe();
    }

    @Override
    public dev.apiauth.RateLimiter rateLimiter(dev.apiauth.LocalRateLimiter local) {
        return delegate.rateLimiter(local);
    }

    @Override
    public void confirmDurable(ApiKey seen) {
        delegate.confirmDurable(seen);
    }

    @Override
    public void discardUnissued(UUID id) {
        delegate.discardUnissued(id);
    }

    @Override
    public List<ApiKey> listByOwner(String ownerId) {
        return delegate.listByOwner(ownerId);
    }
}
