package dev.apiauth.backend.redis;

import dev.apiauth.backend.NearCacheSettings;
import dev.apiauth.ApiKey;
import dev.apiauth.backend.Backend;
import dev.apiauth.backend.BackendException;
import dev.apiauth.internal.RecordCodec;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import org.redisson.api.RBucket;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * Redis as a cache in front of another backend (the primary): {@code apiauth.backend=redis-cache}.
 *
 * <ul>
 *   <li>{@link #getByHash} reads {@code ns + "cache:" + hash} (one {@code GET}), and on a miss the primary, then
 *   stores what it found for {@code ttl}, or that it found nothing for {@code negativeTtl}, so a flood of
 *   unknown keys does not reach the database. Readers only ever store with {@code SET NX}.</li>
 *   <li>{@link #update} and {@link #delete} of something that takes access away (revocation, shorter expiry, fewer
 *   scopes, deletion) write the cache first and then the primary; other writes go to the primary first. Cache writes
 *   are versioned (one Lua script), so a stale writer cannot put an older record back, and a reader that fetched
 *   the old record just before cannot either (it only stores with {@code SET NX}). A restrictive change the cache
 *   cannot take fails and changes nothing; once it returns, every node refuses from the next request on.</li>
 *   <li>With {@code nearCache}, a bounded map in this JVM answers repeated lookups without a network round trip;
 *   every write invalidates that entry on every node ({@link NearCache}: invalidation over pub/sub, served only while
 *   its own heartbeat comes back).</li>
 *   <li>Redis down: lookups go to the primary alone (Redis is skipped for a second after each failure, so no
 *   request waits for it); restrictive changes fail with 503, others go to the primary. Primary down too: the
 *   primary's failure, so 503.</li>
 * </ul>
 * Everything else ({@link #getById}, {@link #listByOwner}) goes to the primary.
 */
public final class RedisCacheBackend implements Backend, AutoCloseable {

    /** "No such key", cached for the negative ttl by readers ({@code SET NX}). */
    private static final String ABSENT = "-";
    /**
     * "Deleted" ({@code -D} and the record's id), kept as long as a record would be: no reader or writer holding
     * the deleted record can replace it; only a new record (another id) created under the same hash can.
     */
    private static final String DELETED = "-D";

    /**
     * A writer's entry replaces what is cached only when it is newer: nothing, a negative entry, a record of
     * another id (the hash was deleted and created again), or the same record at a lower version (or the same
     * version, for a restrictive change); a tombstone only for another id. One script, so compare and set are one
     * step.
     */
    private static final String SET_IF_NEWER = """
            local cur = redis.call('get', KEYS[1])
            if cur then
              if string.sub(cur, 1, 2) == '-D' then
                if string.sub(cur, 3) == ARGV[4] then return 0 end
              elseif string.sub(cur, 1, 1) ~= '-' and string.match(cur, '^id=([^&]*)') == ARGV[4] then
                local v = string.match(cur, '&version=(%d+)')
                if v then
                  if tonumber(v) > tonumber(ARGV[1]) then return 0 end
                  if tonumber(v) == tonumber(ARGV[1]) and ARGV[5] ~= '1' then return 0 end
                end
              end
            end
            redis.call('set', KEYS[1], ARGV[2], 'PX', ARGV[3])
            return 1""";
    static final int NEAR_CACHE_SIZE = NearCacheSettings.DEFAULT_SIZE;
    /**
     * How long a cache entry written <em>before</em> its primary write (a revocation's predicted record, a delete's
     * tombstone) is left to live when that change then failed. It is written with the full TTL, so that no reader
     * can put the old record back while the primary write is in flight, however slow; if the change fails, and the
     * entry is still the one this call wrote, it is shortened to this (without waiting for the answer, as Redis may
     * have applied the write although the client saw it time out; found by the soak). A failed revocation therefore
     * refuses the key for at most this long once Redis answers, and for the TTL when it does not: the safe side.
     */
    static final Duration PREDICTED_TTL = Duration.ofSeconds(30);
    /* SET_IF_NEWER after a marker write (KEYS[2]): the WAIT that follows covers the master's stream even when the
       entry is not replaced (a newer one is there). */
    private static final String SET_IF_NEWER_MARKED = "redis.call('set', KEYS[2], '1', 'PX', 60000)\n" + SET_IF_NEWER;
    private static final String TOMBSTONE = """
            redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2])
            return 1""";
    private static final String SHORTEN_IF_SAME = """
            if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end
            return 0""";

    private final RedissonClient redis;
    private final Backend primary;
    private final String namespace;
    private final Duration ttl;
    private final Duration negativeTtl;
    private final NearCache near;
    private final CircuitBreaker breaker;
    private final ReplicaAcks acks;
    private volatile dev.apiauth.ApiAuthMetrics metrics = dev.apiauth.ApiAuthMetrics.NONE;
    static final String NEAR = "near";
    static final String REDIS = "redis";
    public RedisCacheBackend(RedissonClient redis, Backend primary, String namespace, Duration ttl, Duration negativeTtl,
                             boolean nearCache) {
        this(redis, primary, namespace, ttl, negativeTtl, nearCache, NearCache.DEFAULT_MAX_STALENESS);
    }

    /** @param maxStaleness with {@code nearCache}: how long a node answers from memory without confirmed invalidations */
    public RedisCacheBackend(RedissonClient redis, Backend primary, String namespace, Duration ttl, Duration negativeTtl,
                             boolean nearCache, Duration maxStaleness) {
        this(redis, primary, namespace, ttl, negativeTtl, nearCache, maxStaleness, System::nanoTime);
    }

    /** With the ticker the circuit breaker reads time from (tests move it instead of sleeping). */
    RedisCacheBackend(RedissonClient redis, Backend primary, String namespace, Duration ttl, Duration negativeTtl,
                      boolean nearCache, java.util.function.LongSupplier ticker) {
        this(redis, primary, namespace, ttl, negativeTtl, nearCache, NearCache.DEFAULT_MAX_STALENESS, ticker);
    }

    RedisCacheBackend(RedissonClient redis, Backend primary, String namespace, Duration ttl, Duration negativeTtl,
                      boolean nearCache, Duration maxStaleness, java.util.function.LongSupplier ticker) {
        this(redis, primary, namespace, ttl, negativeTtl, nearCache, maxStaleness, ReplicaAcks.auto(redis.getConfig()), ticker);
    }

    /**
     * With {@code acks}: a restrictive change's cache entry (a revocation's predicted record, a deletion's tombstone) is
     * written and waited on together before the primary is written. Not confirmed: a revocation still goes to the
     * primary and then fails with {@link dev.apiauth.backend.UnconfirmedWriteException} (applied); a deletion fails
     * at once and changes nothing.
     */
    RedisCacheBackend(RedissonClient redis, Backend primary, String namespace, Duration ttl, Duration negativeTtl,
                      boolean nearCache, Duration maxStaleness, ReplicaAcks acks, java.util.function.LongSupplier ticker) {
        this.breaker = new CircuitBreaker(RedisBackend.PAUSE_MILLIS, ticker);
        this.redis = Objects.requireNonNull(redis, "redis");
        this.primary = Objects.requireNonNull(primary, "primary");
        this.namespace = RedisClients.requireOneSlot(redis.getConfig(), Objects.requireNonNull(namespace, "namespace"));
        this.acks = Objects.requireNonNull(acks, "acks");
        this.ttl = positive(ttl, "ttl");
        this.negativeTtl = positive(negativeTtl, "negativeTtl");
        this.near = nearCache ? new NearCache(redis, namespace + NearCache.CHANNEL, ttl, NEAR_CACHE_SIZE, maxStaleness, ticker, true) : null;
    }

    public Backend primary() {
        return primary;
    }

    /** Cache hits and misses go to {@code metrics}, and to the primary's when it measures anything of its own. */
    @Override
    public void observe(dev.apiauth.ApiAuthMetrics metrics) {
        this.metrics = metrics;
        primary.observe(metrics);
    }

    @Override
    public Optional<ApiKey> getByHash(String keyHash) {
        boolean redisUsable = breaker.allows();
        long generation = 0;
        if (near != null && redisUsable) {
            Optional<ApiKey> local = near.get(keyHash);
            metrics.cache(NEAR, local != null);
            if (local != null) {
                return local;
            }
            generation = near.generation();
        }
        String cached = redisUsable ? redis(() -> bucket(keyHash).get()) : null;
        if (redisUsable) {
            metrics.cache(REDIS, cached != null);
        }
        if (cached != null) {
            Optional<ApiKey> found = decode(cached);
            rememberLocally(keyHash, found, generation);
            return found;
        }
        Optional<ApiKey> found = primary.getByHash(keyHash);
        // remembered here only when this very answer was stored: if an entry was there already (a writer's newer
        // record), what this reader holds may be older than what every other node sees
        if (redisUsable && Boolean.TRUE.equals(redis(() -> bucket(keyHash).setIfAbsent(found.map(RecordCodec::encode).orElse(ABSENT),
                found.isPresent() ? ttl : negativeTtl)))) {
            rememberLocally(keyHash, found, generation);
        }
        return found;
    }

    @Override
    public Optional<ApiKey> getById(UUID id) {
        return primary.getById(id);
    }

    @Override
    public List<ApiKey> listByOwner(String ownerId) {
        return primary.listByOwner(ownerId);
    }

    /**
     * A new key, primary first: a cache write that fails leaves at most a negative entry, which expires within the
     * negative ttl (the key works a few seconds later; nothing is let through).
     */
    @Override
    public ApiKey create(ApiKey key) {
        ApiKey stored = primary.create(key);
        overwrite(stored.keyHash(), () -> setIfNewer(stored, false, ttl));
        return stored;
    }

    /**
     * A change that takes something away (revocation, shorter expiry, fewer scopes) is written to the cache
     * <em>first</em>, as the version the primary will store, and only then to the primary: when the cache cannot be
     * written the call fails and nothing changed anywhere, and once it returns every node refuses from the next
     * request on, whichever node a retry goes through. It wins a tie with a concurrent write of the same version
     * (which then fails in the primary and is retried). Any other change (usage, a longer expiry) goes to the primary
     * first: if its cache write fails, the cached older version is still at least as strict.
     */
    @Override
    public ApiKey update(ApiKey key) {
        ApiKey current = primary.getById(key.id()).orElse(null);
        boolean restrictive = current != null && takesAway(current, key);
        if (restrictive) {
            ApiKey expected = key.withVersion(key.version() + 1); // what every backend stores (BackendContract pins it)
            String predicted = RecordCodec.encode(expected);
            int[] replicas = {0};
            if (!overwrite(key.keyHash(), () -> replicas[0] = setIfNewerConfirmed(expected, ttl))) {
                withdrawPrediction(key.keyHash(), predicted);
                throw new BackendException("API key " + key.id() + " was not changed: the Redis cache, which other nodes"
                        + " read, cannot be written; retry");
            }
            // not confirmed by a replica: the change still goes to the primary (in effect at once, durable there), and
            // the call then fails; its retry finds it made and confirms the cache entry (confirmDurable)
            ApiKey stored;
            try {
                stored = primary.update(key);
            } catch (RuntimeException e) {
                withdrawPrediction(key.keyHash(), predicted);
                throw e;
            }
            overwrite(stored.keyHash(), () -> setIfNewer(stored, true, ttl)); // the stored record, should it differ
            acks.require(replicas[0], "the change of API key " + key.id() + " (in the Redis cache)", true);
            return stored;
        }
        ApiKey stored = primary.update(key);
        overwrite(stored.keyHash(), () -> setIfNewer(stored, false, ttl));
        return stored;
    }

    /**
     * The entry this call wrote ahead of a primary write that then failed lives {@link #PREDICTED_TTL} more, if it is
     * still that entry (a newer write, or another node's, is left alone). Asynchronous and best-effort, past the
     * circuit breaker: the breaker has just opened on this very failure, and Redis may well answer.
     */
    private void withdrawPrediction(String keyHash, String predicted) {
        try {
            redis.getScript(StringCodec.INSTANCE).evalAsync(RScript.Mode.READ_WRITE, SHORTEN_IF_SAME, RScript.ReturnType.LONG,
                    List.of(namespace + "cache:" + keyHash), predicted, Long.toString(predictedTtl().toMillis()));
            if (near != null) {
                near.invalidateEverywhereAsync(keyHash);
            }
        } catch (RuntimeException e) {
            // Redis unreachable: the entry keeps refusing the key until its TTL, the safe side
        }
    }

    /** A delete: the tombstone first, then the primary, for the same reason as a revocation. */
    @Override
    public void delete(UUID id) {
        Optional<ApiKey> existing = primary.getById(id);
        if (existing.isPresent()) {
            ApiKey key = existing.get();
            int[] replicas = {0};
            if (!overwrite(key.keyHash(), () -> replicas[0] = tombstoneConfirmed(key))) {
                withdrawPrediction(key.keyHash(), DELETED + key.id());
                throw new BackendException("API key " + id + " was not deleted: the Redis cache, which other nodes read,"
                        + " cannot be written; retry");
            }
            if (replicas[0] < acks.replicas()) { // nothing changed yet: withdrawn, and the primary left alone
                withdrawPrediction(key.keyHash(), DELETED + key.id());
                acks.require(replicas[0], "the deletion of API key " + id + " (in the Redis cache, ahead of the primary)", false);
            }
            try {
                primary.delete(id);
            } catch (RuntimeException e) {
                withdrawPrediction(key.keyHash(), DELETED + key.id());
                throw e;
            }
            return;
        }
        primary.delete(id);
    }

    /**
     * The primary's own confirmation, then the cache entry written again (it replaces only an older one) and waited on:
     * a revocation whose cache entry no replica confirmed is in the primary, and a failover may since have put the old
     * record back in the cache.
     */
    @Override
    public void confirmDurable(ApiKey seen) {
        primary.confirmDurable(seen);
        if (acks.enabled()) {
            int replicas = breaker.call(() -> setIfNewerConfirmed(seen, ttl));
            if (near != null) {
                near.invalidateEverywhere(seen.keyHash());
            }
            acks.require(replicas, "the change of API key " + seen.id() + " (in the Redis cache)", true);
        }
    }

    private Duration predictedTtl() {
        return ttl.compareTo(PREDICTED_TTL) < 0 ? ttl : PREDICTED_TTL;
    }

    /**
     * The primary first; the tombstone only if the cache answers (the create may have cached the record). A record
     * that was ever used was handed out after all: it gets {@link #delete}'s order, tombstone first.
     */
    @Override
    public void discardUnissued(UUID id) {
        Optional<ApiKey> existing = primary.getById(id);
        if (existing.isPresent() && existing.get().lastUsedAt() != null) {
            delete(id);
            return;
        }
        primary.discardUnissued(id);
        existing.ifPresent(key -> overwrite(key.keyHash(), () -> tombstone(key, ttl)));
    }

    /** Whether {@code next} admits less than {@code current}: revoked, expiring sooner, or with fewer scopes. */
    static boolean takesAway(ApiKey current, ApiKey next) {
        if (next.isRevoked() && !current.isRevoked()) {
            return true;
        }
        if (next.expiresAt() != null && (current.expiresAt() == null || next.expiresAt().isBefore(current.expiresAt()))) {
            return true;
        }
        return !next.scopes().containsAll(current.scopes());
    }

    private void tombstone(ApiKey deleted, Duration lifetime) {
        bucket(deleted.keyHash()).set(DELETED + deleted.id(), lifetime);
    }

    /** {@link #setIfNewer} winning ties, and the replicas that hold it (0 when none are asked). */
    private int setIfNewerConfirmed(ApiKey stored, Duration lifetime) {
        if (!acks.enabled()) {
            setIfNewer(stored, true, lifetime);
            return 0;
        }
        return acks.eval(redis, SET_IF_NEWER_MARKED, RScript.ReturnType.LONG,
                List.of(namespace + "cache:" + stored.keyHash(), namespace + "confirm"), Long.toString(stored.version()),
                RecordCodec.encode(stored), Long.toString(lifetime.toMillis()), stored.id().toString(), "1").replicas();
    }

    /** The tombstone of a deleted record, and the replicas that hold it. */
    private int tombstoneConfirmed(ApiKey deleted) {
        if (!acks.enabled()) {
            tombstone(deleted, ttl);
            return 0;
        }
        return acks.eval(redis, TOMBSTONE, RScript.ReturnType.LONG, List.of(namespace + "cache:" + deleted.keyHash()),
                DELETED + deleted.id(), Long.toString(ttl.toMillis())).replicas();
    }

    private void setIfNewer(ApiKey stored, boolean winsTies, Duration lifetime) {
        redis.getScript(StringCodec.INSTANCE).eval(RScript.Mode.READ_WRITE, SET_IF_NEWER, RScript.ReturnType.LONG,
                List.of(namespace + "cache:" + stored.keyHash()), Long.toString(stored.version()), RecordCodec.encode(stored),
                Long.toString(lifetime.toMillis()), stored.id().toString(), winsTies ? "1" : "0");
    }

    /**
     * Ready when the primary answers (validations then work, through the cache or around it); {@code cache=degraded}
     * while Redis does not answer (validations then all reach the primary, and a near cache is not used).
     */
    @Override
    public java.util.Map<String, String> probe() {
        java.util.Map<String, String> details = new java.util.LinkedHashMap<>(primary.probe());
        String cache;
        try {
            breaker.call(() -> bucket(PROBE_HASH).isExists());
            cache = "ok";
        } catch (BackendException e) {
            cache = "degraded";
        }
        details.put("cache", cache);
        return details;
    }

    /** Limits shared by every node through the cache's Redis (the primary is not asked on the request path). */
    @Override
    public dev.apiauth.RateLimiter rateLimiter(dev.apiauth.LocalRateLimiter local) {
        return new RedisRateLimiter(redis, namespace, local);
    }

    /** Drops the near cache's subscription; the Redis client and the primary belong to whoever made them. */
    @Override
    public void close() {
        if (near != null) {
            near.close();
        }
    }

    /** After a write to the primary: the cache entry is written ({@code write}) and dropped from every near cache. */
    private boolean overwrite(String keyHash, Runnable write) {
        Boolean done = redis(() -> {
            write.run();
            if (near != null) {
                near.invalidateEverywhere(keyHash);
            }
            return Boolean.TRUE;
        });
        if (done == null && near != null) {
            near.clear();
        }
        return done != null;
    }

    private void rememberLocally(String keyHash, Optional<ApiKey> found, long generation) {
        if (near != null) {
            near.put(keyHash, found, found.isPresent() ? ttl : negativeTtl, generation);
        }
    }

    private RBucket<String> bucket(String keyHash) {
        return redis.getBucket(namespace + "cache:" + keyHash, StringCodec.INSTANCE);
    }

    /** A Redis call, or null when Redis is down or failing: the cache is then simply bypassed. */
    private <T> T redis(Supplier<T> command) {
        try {
            return breaker.call(command);
        } catch (BackendException e) {
            if (near != null) {
                near.clear(); // invalidations from other nodes may be missed while Redis is away
            }
            return null;
        }
    }

    private static Optional<ApiKey> decode(String value) {
        return value.startsWith(ABSENT) ? Optional.empty() : Optional.of(RecordCodec.decode(value));
    }

    private static Duration positive(Duration value, String name) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + value);
        }
        return value;
    }
}
