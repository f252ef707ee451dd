package dev.apiauth.backend;

import dev.apiauth.ApiKey;
import dev.apiauth.RateLimiter;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Where API key records live. Implementations must be thread-safe; the contract test suite
 * ({@code dev.apiauth.backend.BackendContract} in the test sources) pins every rule below.
 *
 * <ul>
 *   <li>{@link #getByHash} is on the request path of every protected call: make it one indexed lookup.</li>
 *   <li>{@link #create} rejects a record whose id or hash is already stored with {@link DuplicateKeyException};
 *   the stored record has version 0.</li>
 *   <li>{@link #update} replaces the record with the same id when the given {@link ApiKey#version()} equals the
 *   stored one, and stores {@code version + 1}; an unknown id is {@link UnknownKeyException}, a stale version
 *   {@link ConcurrentUpdateException}. The hash and the owner of a record never change.</li>
 *   <li>{@link #delete} is idempotent: deleting an unknown id does nothing.</li>
 *   <li>{@link #listByOwner} returns every key of the owner, newest {@link ApiKey#createdAt()} first.</li>
 * </ul>
 * Any other failure of the store (unreachable, timed out) is a {@link BackendException}; the HTTP layer
 * answers it with 503, never by letting a request through. A backend that also implements
 * {@link AutoCloseable} is closed when the application stops, if the library created it.
 */
public interface Backend {

    /** The order of {@link #listByOwner}: newest {@link ApiKey#createdAt()} first, then by id. */
    Comparator<ApiKey> NEWEST_FIRST = Comparator.comparing(ApiKey::createdAt).reversed().thenComparing(ApiKey::id);

    /** The record whose key hashes to {@code keyHash}, revoked and expired ones included. */
    Optional<ApiKey> getByHash(String keyHash);

    /** The record with this id. */
    Optional<ApiKey> getById(UUID id);

    /** Stores a new record; returns it as stored (version 0). */
    ApiKey create(ApiKey key);

    /** Replaces a record (optimistic lock on {@link ApiKey#version()}); returns it as stored. */
    ApiKey update(ApiKey key);

    /** Removes the record with this id, if any. */
    void delete(UUID id);

    /**
     * Removes a record whose key was never handed out: the successor of a rotation that failed. Nobody holds its
     * plaintext, so no request can present it, and a layer that refuses a {@link #delete} it cannot announce to every
     * node (a shared cache) must not refuse this one, or the record would stay listed as an active key nobody has.
     * The default is {@link #delete}. Applications delete keys with {@link #delete}; the library calls this only for
     * a successor it never returned.
     */
    default void discardUnissued(UUID id) {
        delete(id);
    }

    /**
     * Returns once {@code seen}, a record this call read and found already changed as asked (so it writes nothing),
     * would survive the loss of one store node; throws {@link UnconfirmedWriteException} when that cannot be
     * confirmed. It is what makes a retry honest: a revocation that answered 503 because no replica confirmed it is
     * retried, finds the key revoked, and must not answer 200 while the revocation still lives on one node only.
     * The default does nothing: a store that acknowledges only durable writes has nothing to wait for. A backend
     * that wraps another should forward it.
     */
    default void confirmDurable(ApiKey seen) {
    }

    /** Every record of {@code ownerId}, newest first. */
    List<ApiKey> listByOwner(String ownerId);

    /**
     * Hands the backend where to report what it measures (cache hits and misses); called once when the service is
     * built. The default ignores it; a backend that wraps another should forward it.
     */
    default void observe(dev.apiauth.ApiAuthMetrics metrics) {
    }

    /** A hash no key has (SHA-256 of anything is not 64 zeros): what the default {@link #probe} looks up. */
    String PROBE_HASH = "0".repeat(64);

    /**
     * Checks the store the way a validation would, for a readiness probe: throws {@link BackendException} when a
     * validation would answer 503, and returns details for the probe's data (never keys, hashes or owners), e.g.
     * {@code cache=degraded}. The default looks up {@link #PROBE_HASH}.
     */
    default java.util.Map<String, String> probe() {
        getByHash(PROBE_HASH);
        return java.util.Map.of();
    }

    /**
     * The limiter that counts requests of this backend's keys, called once when the service is built: one every node
     * shares where the store can hold it (the Redis backends), else {@code local}, which counts in this JVM. A shared
     * limiter that cannot reach its store must count with {@code local} meanwhile, never refuse or fail a request.
     * A backend that wraps another must forward this call, or its nodes count alone.
     */
    default RateLimiter rateLimiter(dev.apiauth.LocalRateLimiter local) {
        return local;
    }
}
