package dev.apiauth.backend.memory;

import dev.apiauth.ApiKey;
import dev.apiauth.backend.Backend;
import dev.apiauth.backend.ConcurrentUpdateException;
import dev.apiauth.backend.DuplicateKeyException;
import dev.apiauth.backend.UnknownKeyException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps keys in this JVM's memory: for development, tests and single-node demos. Everything is lost when
 * the application stops.
 *
 * <p>Reads take no lock; writes are serialised so that the hash index, the id index and the owner index
 * never disagree.
 */
public final class MemoryBackend implements Backend {

    private final Map<String, ApiKey> byHash = new ConcurrentHashMap<>();
    private final Map<UUID, ApiKey> byId = new ConcurrentHashMap<>();
    private final Map<String, Set<UUID>> byOwner = new ConcurrentHashMap<>();
    private final Object writeLock = new Object();

    @Override
    public Optional<ApiKey> getByHash(String keyHash) {
        return Optional.ofNullable(byHash.get(keyHash));
    }

    @Override
    public Optional<ApiKey> getById(UUID id) {
        return Optional.ofNullable(byId.get(id));
    }

    @Override
    public ApiKey create(ApiKey key) {
        Objects.requireNonNull(key, "key");
        ApiKey stored = key.withVersion(0);
        synchronized (writeLock) {
            if (byId.containsKey(key.id())) {
                throw new DuplicateKeyException("an API key with id " + key.id() + " already exists");
            }
            if (byHash.containsKey(key.keyHash())) {
                throw new DuplicateKeyException("an API key with the same hash already exists");
            }
            byId.put(stored.id(), stored);
            byHash.put(stored.keyHash(), stored);
            byOwner.computeIfAbsent(stored.ownerId(), o -> ConcurrentHashMap.newKeySet()).add(stored.id());
        }
        return stored;
    }

    @Override
    public ApiKey update(ApiKey key) {
        Objects.requireNonNull(key, "key");
        synchronized (writeLock) {
            ApiKey current = byId.get(key.id());
            if (current == null) {
                throw new UnknownKeyException(key.id());
            }
            if (current.version() != key.version()) {
                throw new ConcurrentUpdateException(key.id(), key.version(), current.version());
            }
            if (!current.keyHash().equals(key.keyHash()) || !current.ownerId().equals(key.ownerId())) {
                throw new IllegalArgumentException("the key hash and owner of API key " + key.id() + " cannot change");
            }
            ApiKey stored = key.withVersion(current.version() + 1);
            byId.put(stored.id(), stored);
            byHash.put(stored.keyHash(), stored);
            return stored;
        }
    }

    @Override
    public void delete(UUID id) {
        synchronized (writeLock) {
            ApiKey removed = byId.remove(id);
            if (removed != null) {
                byHash.remove(removed.keyHash());
                Set<UUID> owned = byOwner.get(removed.ownerId());
                if (owned != null) {
                    owned.remove(id);
                    if (owned.isEmpty()) {
                        byOwner.remove(removed.ownerId());
                    }
                }
            }
        }
    }

    @Override
    public List<ApiKey> listByOwner(String ownerId) {
        Set<UUID> ids = byOwner.get(ownerId);
        if (ids == null) {
            return List.of();
        }
        List<ApiKey> keys = new ArrayList<>(ids.size());
        for (UUID id : ids) {
            ApiKey key = byId.get(id);
            if (key != null) {
                keys.add(key);
            }
        }
        keys.sort(NEWEST_FIRST);
        return keys;
    }

    /** How many keys are stored. */
    public int size() {
        return byId.size();
    }
}
