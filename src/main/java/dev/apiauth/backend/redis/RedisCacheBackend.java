package dev.apiauth.backend.redis;

import dev.apiauth.ApiKey;
import dev.apiauth.backend.Backend;
import dev.apiauth.backend.BackendException;
import dev.apiauth.internal.RecordCodec;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
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
 *   <li>{@link #create}, {@link #update} and {@link #delete} go to the primary, then overwrite the cache entry in
 *   the same call (writers {@code SET} unconditionally), so a revoked key is refused from the next request on,
 *   and a reader that fetched the old record just before cannot put it back.</li>
 *   <li>With {@code nearCache}, a bounded map in this JVM answers repeated lookups without a network round trip;
 *   every write invalidates that entry on every node (Redisson local cached map, invalidation over pub/sub).</li>
 *   <li>Redis down: lookups and writes go to the primary alone (Redis is skipped for a second after each failure,
 *   so no request waits for it); invalidations that could not be written are retried before the cache is read
 *   again. Primary down too: the primary's failure, so 503.</li>
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
     * another id (the hash was deleted and created again), or the same record at a lower version; a tombstone only
     * for another id. One script, so compare and set are one step.
     */
    private static final String SET_IF_NEWER = """
            local cur = redis.call('get', KEYS[1])
            if cur then
              if string.sub(cur, 1, 2) == '-D' then
                if string.sub(cur, 3) == ARGV[4] then return 0 end
              elseif string.sub(cur, 1, 1) ~= '-' and string.match(cur, '^id=([^&]*)') == ARGV[4] then
                local v = string.match(cur, '&version=(%d+)')
                if v and tonumber(v) >= tonumber(ARGV[1]) then return 0 end
              end
            end
            redis.call('set', KEYS[1], ARGV[2], 'PX', ARGV[3])
            return 1""";
    static final int NEAR_CACHE_SIZE = 10_000;

    private final RedissonClient redis;
    private final Backend primary;
    private final String namespace;
    private final Duration ttl;
    private final Duration negativeTtl;
    private final NearCache near;
    private final CircuitBreaker breaker = new CircuitBreaker(RedisBackend.PAUSE_MILLIS, System::nanoTime);
    /** Cache entries a write could not overwrite because Redis was down; the cache is bypassed until they are. */
    private final Set<String> pendingInvalidations = ConcurrentHashMap.newKeySet();

    public RedisCacheBackend(RedissonClient redis, Backend primary, String namespace, Duration ttl, Duration negativeTtl,
                             boolean nearCache) {
        this.redis = Objects.requireNonNull(redis, "redis");
        this.primary = Objects.requireNonNull(primary, "primary");
        this.namespace = Objects.requireNonNull(namespace, "namespace");
        this.ttl = positive(ttl, "ttl");
        this.negativeTtl = positive(negativeTtl, "negativeTtl");
        this.near = nearCache ? new NearCache(redis, namespace + "invalidations", ttl, NEAR_CACHE_SIZE) : null;
    }

    public Backend primary() {
        return primary;
    }

    @Override
    public Optional<ApiKey> getByHash(String keyHash) {
        boolean redisUsable = breaker.allows() && (pendingInvalidations.isEmpty() || flushInvalidations());
        long generation = 0;
        if (near != null && redisUsable) {
            Optional<ApiKey> local = near.get(keyHash);
            if (local != null) {
                return local;
            }
            generation = near.generation();
        }
        String cached = redisUsable ? redis(() -> bucket(keyHash).get()) : null;
        if (cached != null) {
            Optional<ApiKey> found = decode(cached);
            rememberLocally(keyHash, found, generation);
            return found;
        }
        Optional<ApiKey> found = primary.getByHash(keyHash);
        if (redisUsable && redis(() -> bucket(keyHash).setIfAbsent(found.map(RecordCodec::encode).orElse(ABSENT),
                found.isPresent() ? ttl : negativeTtl)) != null) {
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

    @Override
    public ApiKey create(ApiKey key) {
        ApiKey stored = primary.create(key);
        overwrite(stored.keyHash(), () -> setIfNewer(stored));
        return stored;
    }

    @Override
    public ApiKey update(ApiKey key) {
        ApiKey stored = primary.update(key);
        overwrite(stored.keyHash(), () -> setIfNewer(stored));
        return stored;
    }

    @Override
    public void delete(UUID id) {
        Optional<ApiKey> existing = primary.getById(id);
        primary.delete(id);
        existing.ifPresent(key -> overwrite(key.keyHash(), () -> bucket(key.keyHash()).set(DELETED + key.id(), ttl)));
    }

    private void setIfNewer(ApiKey stored) {
        redis.getScript(StringCodec.INSTANCE).eval(RScript.Mode.READ_WRITE, SET_IF_NEWER, RScript.ReturnType.LONG,
                List.of(namespace + "cache:" + stored.keyHash()), Long.toString(stored.version()), RecordCodec.encode(stored),
                Long.toString(ttl.toMillis()), stored.id().toString());
    }

    /** Drops the near cache's subscription; the Redis client and the primary belong to whoever made them. */
    @Override
    public void close() {
        if (near != null) {
            near.close();
        }
    }

    /** After a write to the primary: the cache entry is written ({@code write}) and dropped from every near cache. */
    private void overwrite(String keyHash, Runnable write) {
        Boolean done = redis(() -> {
            write.run();
            if (near != null) {
                near.invalidateEverywhere(keyHash);
            }
            return Boolean.TRUE;
        });
        if (done == null) {
            if (near != null) {
                near.clear();
            }
            pendingInvalidations.add(keyHash);
        }
    }

    /** Writes the invalidations Redis missed; true when none is left. */
    private boolean flushInvalidations() {
        for (String keyHash : pendingInvalidations) {
            Boolean done = redis(() -> {
                redis.getBucket(namespace + "cache:" + keyHash, StringCodec.INSTANCE).delete();
                if (near != null) {
                    near.invalidateEverywhere(keyHash); // the other nodes' near caches may hold the stale record too
                }
                return Boolean.TRUE;
            });
            if (done == null) {
                return false;
            }
            pendingInvalidations.remove(keyHash);
        }
        return true;
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
