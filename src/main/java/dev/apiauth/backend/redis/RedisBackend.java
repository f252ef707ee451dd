package dev.apiauth.backend.redis;

import dev.apiauth.backend.NearCacheSettings;
import dev.apiauth.ApiKey;
import dev.apiauth.backend.Backend;
import dev.apiauth.backend.BackendException;
import dev.apiauth.backend.ConcurrentUpdateException;
import dev.apiauth.backend.DuplicateKeyException;
import dev.apiauth.backend.UnknownKeyException;
import dev.apiauth.internal.RecordCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * Keys in Redis: {@code apiauth.backend=redis}. Layout under a namespace {@code ns} (default {@code apiauth:}):
 * <ul>
 *   <li>{@code ns + "key:" + hash}: a Redis hash {@code r} (the record as form-encoded text), {@code v}
 *   (version), {@code o} (owner); {@link #getByHash} is one {@code HGET};</li>
 *   <li>{@code ns + "id:" + id}: the key hash, for lookups by id;</li>
 *   <li>{@code ns + "owner:" + ownerId}: a sorted set of key hashes scored by creation time.</li>
 * </ul>
 * Writes are Lua scripts, so each is atomic (of two concurrent creates of one hash exactly one wins; an update
 * checks the version). Redis drops a key's entries by itself once it has been expired for the retention
 * ({@code apiauth.redis.expired-retention}, 30 days by default): until then an expired key is still found, so it
 * is refused as {@code expired} (as on every backend) and stays in listings. Only hashes and records
 * are stored, never a key. In Redis Cluster all keys of a namespace must share a slot: put a hash tag in the
 * namespace, e.g. {@code apiauth:{keys}:}.
 *
 * <p>Any Redis failure is a {@link BackendException} (the request is refused with 503). After a failure Redis
 * is skipped for a moment ({@value #PAUSE_MILLIS} ms) rather than waited for by every request.
 */
public final class RedisBackend implements Backend, AutoCloseable {

    static final long PAUSE_MILLIS = 1000;

    private static final String CREATE = """
            if redis.call('exists', KEYS[1]) == 1 or redis.call('exists', KEYS[2]) == 1 then return 0 end
            redis.call('hset', KEYS[1], 'r', ARGV[1], 'v', '0', 'o', ARGV[5])
            redis.call('set', KEYS[2], ARGV[2])
            if ARGV[4] ~= '' then
              redis.call('pexpireat', KEYS[1], ARGV[4])
              redis.call('pexpireat', KEYS[2], ARGV[4])
            end
            redis.call('zadd', KEYS[3], ARGV[3], ARGV[2])
            redis.call('publish', ARGV[6], ARGV[2])
            return 1""";

    private static final String UPDATE = """
            local h = redis.call('get', KEYS[2])
            if not h then return '-1' end
            if h ~= ARGV[3] then return '-3' end
            local v = redis.call('hget', KEYS[1], 'v')
            if not v then return '-1' end
            if redis.call('hget', KEYS[1], 'o') ~= ARGV[5] then return '-3' end
            if v ~= ARGV[1] then return '-2' end
            local old = redis.call('hget', KEYS[1], 'r')
            redis.call('hset', KEYS[1], 'r', ARGV[2], 'v', ARGV[6])
            if ARGV[4] ~= '' then
              redis.call('pexpireat', KEYS[1], ARGV[4])
              redis.call('pexpireat', KEYS[2], ARGV[4])
            else
              redis.call('persist', KEYS[1])
              redis.call('persist', KEYS[2])
            end
            redis.call('publish', ARGV[7], ARGV[3])
            return old""";

    /* The marker write first: a delete that finds nothing (a retry) still advances this connection's WAIT offset. */
    private static final String DELETE = """
            redis.call('set', ARGV[1] .. 'confirm', '1', 'PX', 60000)
            local h = redis.call('get', KEYS[1])
            if not h then return false end
            local record = ARGV[1] .. 'key:' .. h
            local owner = redis.call('hget', record, 'o')
            redis.call('del', record, KEYS[1])
            if owner then redis.call('zrem', ARGV[1] .. 'owner:' .. owner, h) end
            redis.call('publish', ARGV[1] .. ARGV[2], h)
            return h""";

    /*
     * The record of id KEYS[1] as the master has it now ('' when gone), for the caller to check that it is still at
     * least as strict as the change being confirmed: a change lost in a failover between the write and this check
     * (and maybe replaced by another write of the same version on the promoted replica) is found here. Writes a marker
     * (KEYS[2]) first, so the WAIT that follows on this connection covers everything the master took before.
     */
    private static final String CONFIRM = """
            redis.call('set', KEYS[2], '1', 'PX', 60000)
            local h = redis.call('get', KEYS[1])
            if not h then return '' end
            return redis.call('hget', ARGV[1] .. 'key:' .. h, 'r') or ''""";

    private static final String GET_BY_ID = """
            local h = redis.call('get', KEYS[1])
            if not h then return false end
            return redis.call('hget', ARGV[1] .. 'key:' .. h, 'r')""";

    private static final String LIST = """
            local hashes = redis.call('zrevrange', KEYS[1], 0, -1)
            local records = {}
            for _, h in ipairs(hashes) do
              local r = redis.call('hget', ARGV[1] .. 'key:' .. h, 'r')
              if r then table.insert(records, r) else redis.call('zrem', KEYS[1], h) end
            end
            return records""";

    private final RedissonClient redis;
    private final String namespace;
    private final RScript script;
    private final CircuitBreaker breaker;
    private final long retentionMillis;
    /** Null unless {@code apiauth.cache.local=true}. */
    private final NearCache near;
    private final NearCacheSettings nearSettings;
    private final ReplicaAcks acks;

    /** How long an expired key is kept by default before Redis drops it. */
    public static final Duration DEFAULT_EXPIRED_RETENTION = Duration.ofDays(30);

    public RedisBackend(RedissonClient redis, String namespace) {
        this(redis, namespace, DEFAULT_EXPIRED_RETENTION);
    }

    /** @param expiredRetention how long after its {@code expiresAt} a key's entries stay (so it is refused as expired) */
    public RedisBackend(RedissonClient redis, String namespace, Duration expiredRetention) {
        this(redis, namespace, expiredRetention, System::nanoTime);
    }

    /**
     * With a near cache when {@code near} is enabled: lookups are answered from this JVM's memory while invalidations are
     * confirmed to arrive (see {@link NearCache}); every write publishes the key's hash from inside its script, so the
     * message goes out exactly when the write happened.
     */
    public RedisBackend(RedissonClient redis, String namespace, Duration expiredRetention, NearCacheSettings near) {
        this(redis, namespace, expiredRetention, near, ReplicaAcks.auto(redis.getConfig()), System::nanoTime);
    }

    /**
     * Waiting for {@code replicas} replicas to hold every change that takes access away (revocation, shorter expiry,
     * fewer scopes, deletion) before acknowledging it, for at most {@code replicaTimeout}; else the change fails with
     * {@link dev.apiauth.backend.UnconfirmedWriteException}. The other constructors wait for one replica when the
     * client is configured for several nodes (sentinel, cluster, master and replicas), for none otherwise.
     */
    public RedisBackend(RedissonClient redis, String namespace, Duration expiredRetention, NearCacheSettings near, int replicas,
                        Duration replicaTimeout) {
        this(redis, namespace, expiredRetention, near, new ReplicaAcks(replicas, replicaTimeout), System::nanoTime);
    }

    /** With the ticker the circuit breaker reads time from (tests move it instead of sleeping). */
    RedisBackend(RedissonClient redis, String namespace, Duration expiredRetention, java.util.function.LongSupplier ticker) {
        this(redis, namespace, expiredRetention, NearCacheSettings.OFF, ReplicaAcks.auto(redis.getConfig()), ticker);
    }

    RedisBackend(RedissonClient redis, String namespace, Duration expiredRetention, NearCacheSettings near, ReplicaAcks acks,
                 java.util.function.LongSupplier ticker) {
        this.redis = Objects.requireNonNull(redis, "redis");
        this.namespace = RedisClients.requireOneSlot(redis.getConfig(), Objects.requireNonNull(namespace, "namespace"));
        this.acks = Objects.requireNonNull(acks, "acks");
        this.script = redis.getScript(StringCodec.INSTANCE);
        this.breaker = new CircuitBreaker(PAUSE_MILLIS, ticker);
        if (expiredRetention == null || expiredRetention.isNegative()) {
            throw new IllegalArgumentException("expiredRetention must not be negative: " + expiredRetention);
        }
        this.retentionMillis = expiredRetention.toMillis();
        this.nearSettings = near;
        this.near = near.enabled() ? new NearCache(redis, namespace + NearCache.CHANNEL, near.ttl(), near.maxSize(),
                near.maxStaleness(), ticker, true) : null;
    }

    public String namespace() {
        return namespace;
    }

    @Override
    public Optional<ApiKey> getByHash(String keyHash) {
        long generation = -1;
        if (near != null && breaker.allows()) { // Redis failing: nothing from memory either, invalidations may be lost
            Optional<ApiKey> local = near.get(keyHash);
            metrics.cache(RedisCacheBackend.NEAR, local != null);
            if (local != null) {
                return local;
            }
            generation = near.generation(); // before the read: an invalidation overlapping it keeps its answer out
        }
        String record = breaker.call(() -> redis.<String, String>getMap(recordKey(keyHash), StringCodec.INSTANCE).get("r"));
        Optional<ApiKey> found = Optional.ofNullable(record).map(RecordCodec::decode);
        if (generation != -1) {
            near.put(keyHash, found, found.isPresent() ? nearSettings.ttl() : nearSettings.negativeTtl(), generation);
        }
        return found;
    }

    /** Near-cache hits and misses go to {@code metrics}. */
    @Override
    public void observe(dev.apiauth.ApiAuthMetrics metrics) {
        this.metrics = metrics;
    }

    private volatile dev.apiauth.ApiAuthMetrics metrics = dev.apiauth.ApiAuthMetrics.NONE;

    /** The near cache, or null (tests). */
    NearCache nearCache() {
        return near;
    }

    /** Drops the near cache's subscription; the Redis client belongs to whoever made it. */
    @Override
    public void close() {
        if (near != null) {
            near.close();
        }
    }

    @Override
    public Optional<ApiKey> getById(UUID id) {
        String record = breaker.call(() -> script.eval(RScript.Mode.READ_ONLY, GET_BY_ID, RScript.ReturnType.VALUE,
                List.of(idKey(id)), namespace));
        return Optional.ofNullable(record).map(RecordCodec::decode);
    }

    @Override
    public ApiKey create(ApiKey key) {
        ApiKey stored = key.withVersion(0);
        Long created;
        try {
            created = breaker.call(() -> script.eval(RScript.Mode.READ_WRITE, CREATE, RScript.ReturnType.LONG,
                    List.of(recordKey(key.keyHash()), idKey(key.id()), ownerKey(key.ownerId())),
                    RecordCodec.encode(stored), key.keyHash(), Long.toString(key.createdAt().toEpochMilli()),
                    expireAt(key), key.ownerId(), channel()));
        } finally {
            invalidateHere(key.keyHash()); // also when the write failed: it may have landed
        }
        if (created == 0) {
            throw new DuplicateKeyException("an API key with id " + key.id() + " or the same hash already exists");
        }
        return stored;
    }

    @Override
    public ApiKey update(ApiKey key) {
        ApiKey stored = key.withVersion(key.version() + 1);
        String result;
        try {
            result = breaker.call(() -> script.eval(RScript.Mode.READ_WRITE, UPDATE, RScript.ReturnType.VALUE,
                    List.of(recordKey(key.keyHash()), idKey(key.id())),
                    Long.toString(key.version()), RecordCodec.encode(stored), key.keyHash(), expireAt(key), key.ownerId(),
                    Long.toString(stored.version()), channel()));
        } finally {
            invalidateHere(key.keyHash()); // also when the write failed: it may have landed
        }
        switch (result) {
            case "-1" -> throw new UnknownKeyException(key.id());
            case "-2" -> throw new ConcurrentUpdateException("API key " + key.id() + " was updated concurrently; read it again");
            case "-3" -> throw new IllegalArgumentException("the key hash and owner of API key " + key.id() + " cannot change");
            default -> {
                if (acks.enabled() && RedisCacheBackend.takesAway(RecordCodec.decode(result), stored)) {
                    try {
                        confirm(stored, "the change of API key " + stored.id());
                    } catch (dev.apiauth.backend.UnconfirmedWriteException e) {
                        throw e;
                    } catch (BackendException e) { // the write is in effect; only its confirmation failed
                        throw new dev.apiauth.backend.UnconfirmedWriteException("the change of API key " + stored.id()
                                + " is in effect on the Redis master, but could not be confirmed on a replica ("
                                + e.getMessage() + "); retry the same call", true, e);
                    }
                }
            }
        }
        return stored;
    }

    /** A revocation or rotation found done already (a retry): answered only once a replica holds it. */
    @Override
    public void confirmDurable(ApiKey seen) {
        if (acks.enabled()) {
            confirm(seen, "the change of API key " + seen.id());
        }
    }

    /**
     * Returns once the master's record of {@code expected}'s key admits no more than {@code expected} does (a later
     * write built on it may have changed other fields) and the configured replicas hold it.
     */
    private void confirm(ApiKey expected, String what) {
        ReplicaAcks.Confirmed<String> confirmed = breaker.call(() -> acks.eval(redis, CONFIRM, RScript.ReturnType.VALUE,
                List.of(idKey(expected.id()), namespace + "confirm"), namespace));
        String record = confirmed.answer();
        if (record == null || record.isEmpty() || RedisCacheBackend.takesAway(RecordCodec.decode(record), expected)) {
            // a failover took the change away between the write and this check
            throw new dev.apiauth.backend.UnconfirmedWriteException(what + " is not in Redis any more (lost in a failover);"
                    + " retry the same call", false);
        }
        acks.require(confirmed.replicas(), what, true);
    }

    @Override
    public void delete(UUID id) {
        String deleted;
        int replicas = 0;
        try {
            if (acks.enabled()) { // the delete and the WAIT on one connection; a retry of a delete confirms it too
                ReplicaAcks.Confirmed<String> confirmed = breaker.call(() -> acks.eval(redis, DELETE, RScript.ReturnType.VALUE,
                        List.of(idKey(id)), namespace, NearCache.CHANNEL));
                deleted = confirmed.answer();
                replicas = confirmed.replicas();
            } else {
                deleted = breaker.call(() -> script.eval(RScript.Mode.READ_WRITE, DELETE, RScript.ReturnType.VALUE, List.of(idKey(id)),
                        namespace, NearCache.CHANNEL));
            }
        } catch (RuntimeException e) {
            if (near != null) {
                near.clear(); // the hash is unknown here and the delete may have landed: drop everything on this node
            }
            throw e;
        }
        if (deleted != null) {
            invalidateHere(deleted); // this node's entry goes at once; the others get the script's message
        }
        if (acks.enabled()) {
            acks.require(replicas, "the deletion of API key " + id, true);
        }
    }

    /**
     * Without waiting for replicas: the successor of a failed rotation was never handed out, so nobody needs its
     * removal to survive a failover (and the rotation's own failure is what the caller hears about).
     */
    @Override
    public void discardUnissued(UUID id) {
        String deleted = breaker.call(() -> script.eval(RScript.Mode.READ_WRITE, DELETE, RScript.ReturnType.VALUE, List.of(idKey(id)),
                namespace, NearCache.CHANNEL));
        if (deleted != null) {
            invalidateHere(deleted);
        }
    }

    /** Where every write's script publishes the hash it changed (whether or not any node has a near cache). */
    private String channel() {
        return namespace + NearCache.CHANNEL;
    }

    /** This node's entry goes at once, before its own message comes back. */
    private void invalidateHere(String keyHash) {
        if (near != null) {
            near.invalidateHere(keyHash);
        }
    }

    @Override
    public List<ApiKey> listByOwner(String ownerId) {
        List<Object> records = breaker.call(() -> script.eval(RScript.Mode.READ_WRITE, LIST, RScript.ReturnType.LIST,
                List.of(ownerKey(ownerId)), namespace));
        List<ApiKey> keys = new ArrayList<>(records.size());
        for (Object record : records) {
            keys.add(RecordCodec.decode((String) record));
        }
        keys.sort(NEWEST_FIRST);
        return keys;
    }

    /** Limits shared by every node through this Redis, under this namespace. */
    @Override
    public dev.apiauth.RateLimiter rateLimiter(dev.apiauth.LocalRateLimiter local) {
        return new RedisRateLimiter(redis, namespace, local);
    }

    String recordKey(String keyHash) {
        return namespace + "key:" + keyHash;
    }

    private String idKey(UUID id) {
        return namespace + "id:" + id;
    }

    private String ownerKey(String ownerId) {
        return namespace + "owner:" + ownerId;
    }

    /** When Redis may drop the key's entries: its expiry plus the retention. */
    private String expireAt(ApiKey key) {
        return key.expiresAt() == null ? "" : Long.toString(Math.addExact(key.expiresAt().toEpochMilli(), retentionMillis));
    }
}
