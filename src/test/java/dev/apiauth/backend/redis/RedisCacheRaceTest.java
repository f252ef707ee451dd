package dev.apiauth.backend.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiauth.ApiKey;
import dev.apiauth.backend.Backend;
import dev.apiauth.backend.memory.MemoryBackend;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.redisson.client.codec.StringCodec;

/**
 * The interleavings that could put a revoked or deleted key back into {@code redis-cache}, forced with latches on a
 * pausable primary (no sleeps), on the real Redis.
 */
class RedisCacheRaceTest {

    private final RedisCacheFixture redis = new RedisCacheFixture();
    private final PausablePrimary primary = new PausablePrimary(new MemoryBackend());

    @AfterEach
    void close() {
        primary.releaseAll();
        redis.close();
    }

    private static ApiKey newRecord() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        return new ApiKey(UUID.randomUUID(), "race", "racer", dev.apiauth.backend.BackendContract.randomHash(), "ak_Race",
                Set.of("read"), now, null, null, null, Map.of(), 0);
    }

    /**
     * A write that committed to the primary before the revocation (usage flush, rotation's grace) but reaches the
     * cache after it must not put the active record back, on this node or any other.
     */
    @Test
    void aWriteThatReachesTheCacheAfterARevocationDoesNotUndoIt() throws Exception {
        List<UnaryOperator<ApiKey>> racingWrites = List.of(
                key -> key.withLastUsedAt(Instant.now().truncatedTo(ChronoUnit.MILLIS)),                 // usage flush
                key -> key.withExpiresAt(Instant.now().plus(Duration.ofHours(1)).truncatedTo(ChronoUnit.MILLIS))); // rotation grace
        for (UnaryOperator<ApiKey> racing : racingWrites) {
            RedisCacheBackend cache = redis.cache(primary, false);
            ApiKey created = cache.create(newRecord());
            primary.pauseNextUpdate();
            CompletableFuture<ApiKey> stale = CompletableFuture.supplyAsync(() -> cache.update(racing.apply(created)));
            assertTrue(primary.committed.await(10, TimeUnit.SECONDS), "the racing write committed to the primary");
            ApiKey committed = primary.getById(created.id()).orElseThrow();
            ApiKey revoked = cache.update(committed.withRevokedAt(Instant.now().truncatedTo(ChronoUnit.MILLIS)));
            primary.release.countDown(); // now the racing write reaches the cache
            stale.get(10, TimeUnit.SECONDS);
            ApiKey seen = cache.getByHash(created.keyHash()).orElseThrow();
            assertTrue(seen.isRevoked(), "the stale write put the active record back into the cache: " + seen);
            assertEquals(revoked.version(), seen.version());
            RedisCacheBackend otherNode = redis.cache(primary, false);
            assertTrue(otherNode.getByHash(created.keyHash()).orElseThrow().isRevoked(), "another node sees the revocation");
            cache.close();
            otherNode.close();
            primary.reset();
        }
    }

    /**
     * While a revocation's primary write is in flight, however slow, the entry written ahead of it keeps the full TTL:
     * were it short-lived, a reader could refill the cache with the active record after it expired, and the key would
     * be accepted after the 204 (the review's interleaving against the first fix for the soak's finding).
     */
    @Test
    void aRevocationsEntryOutlivesASlowPrimaryWrite() throws Exception {
        RedisCacheBackend cache = redis.cache(primary, false);
        ApiKey created = cache.create(newRecord());
        primary.pauseNextUpdate();
        CompletableFuture<ApiKey> revoking = CompletableFuture.supplyAsync(
                () -> cache.update(created.withRevokedAt(Instant.now().truncatedTo(ChronoUnit.MILLIS))));
        assertTrue(primary.committed.await(10, TimeUnit.SECONDS), "the revocation is in its primary write");
        long left = redis.client.getBucket(redis.namespace + "cache:" + created.keyHash(),
                org.redisson.client.codec.StringCodec.INSTANCE).remainTimeToLive();
        assertTrue(left > RedisCacheBackend.PREDICTED_TTL.toMillis(), "the entry ahead of the primary write has the full TTL: " + left + " ms");
        primary.release.countDown();
        assertTrue(revoking.get(10, TimeUnit.SECONDS).isRevoked());
        cache.close();
        primary.reset();
    }

    /** A reader that read the record before a delete, and writes it to the cache any time later, cannot bring it back. */
    @Test
    void aStalledReaderCannotResurrectADeletedKey() throws Exception {
        RedisCacheBackend cache = redis.cache(primary, false);
        ApiKey created = cache.create(newRecord());
        String cacheKey = redis.namespace + "cache:" + created.keyHash();
        redis.client.getBucket(cacheKey, StringCodec.INSTANCE).delete(); // the entry aged out: the next lookup reads the primary
        primary.pauseNextRead();
        CompletableFuture<Optional<ApiKey>> reader = CompletableFuture.supplyAsync(() -> cache.getByHash(created.keyHash()));
        assertTrue(primary.committed.await(10, TimeUnit.SECONDS), "the reader holds the record");
        cache.delete(created.id());
        long tombstone = redis.client.getBucket(cacheKey, StringCodec.INSTANCE).remainTimeToLive();
        assertTrue(tombstone > Duration.ofSeconds(5).toMillis(),
                "the delete's tombstone must outlive a stalled reader as long as a cached record would live, not "
                        + tombstone + " ms (the negative ttl)");
        primary.release.countDown();
        reader.get(10, TimeUnit.SECONDS);
        assertTrue(cache.getByHash(created.keyHash()).isEmpty(), "the deleted key came back through the stalled reader");
        assertTrue(redis.cache(primary, false).getByHash(created.keyHash()).isEmpty());
        cache.close();
    }

    @Test
    void nearCacheEntriesAgeByTheInjectedTickerNotByWaiting() {
        java.util.concurrent.atomic.AtomicLong ticker = new java.util.concurrent.atomic.AtomicLong();
        NearCache near = nearCache(Duration.ofSeconds(30), ticker);
        try {
            pingAndAwait(near);
            ApiKey known = newRecord();
            near.put(known.keyHash(), Optional.of(known), Duration.ofMinutes(5), near.generation());
            String unknown = dev.apiauth.backend.BackendContract.randomHash();
            near.put(unknown, Optional.empty(), Duration.ofSeconds(5), near.generation());
            advanceWithPings(ticker, near, Duration.ofSeconds(5));
            assertEquals(null, near.get(unknown), "a negative entry lives its own (shorter) ttl");
            assertNotNull(near.get(known.keyHash()));
            advanceWithPings(ticker, near, Duration.ofSeconds(25));
            assertEquals(null, near.get(known.keyHash()), "no entry outlives the near cache's ttl");
        } finally {
            near.close();
        }
    }

    /** A near cache of 100 entries on this test's channel, its time from {@code ticker}, pinged only by the test. */
    private NearCache nearCache(Duration ttl, java.util.concurrent.atomic.AtomicLong ticker) {
        return new NearCache(redis.client, redis.namespace + "invalidations", ttl, 100, NearCache.DEFAULT_MAX_STALENESS, ticker::get, false);
    }

    /** Moves the ticker by {@code by} in steps shorter than the staleness bound, the subscription confirmed at each. */
    private static void advanceWithPings(java.util.concurrent.atomic.AtomicLong ticker, NearCache near, Duration by) {
        long step = NearCache.DEFAULT_MAX_STALENESS.toNanos() / 2;
        for (long moved = 0; moved < by.toNanos(); moved += step) {
            ticker.addAndGet(Math.min(step, by.toNanos() - moved));
            pingAndAwait(near);
        }
    }

    /** Sends one heartbeat and waits (bounded) for it to come back over Redis pub/sub. */
    static void pingAndAwait(NearCache near) {
        long before = near.pingsReceived();
        near.heartbeat();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (near.pingsReceived() == before) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the near cache's ping did not come back within 10 s");
            }
            Thread.onSpinWait();
        }
    }

    /**
     * The near cache serves only while its own pings come back: before the first one, and once the last one is
     * older than the liveness bound (a subscription that broke silently), it answers nothing and is emptied.
     */
    @Test
    void theNearCacheAnswersOnlyWhileItsSubscriptionIsConfirmed() {
        java.util.concurrent.atomic.AtomicLong ticker = new java.util.concurrent.atomic.AtomicLong();
        NearCache near = nearCache(Duration.ofMinutes(5), ticker);
        try {
            ApiKey known = newRecord();
            near.put(known.keyHash(), Optional.of(known), Duration.ofMinutes(5), near.generation());
            assertEquals(null, near.get(known.keyHash()), "nothing is cached before the subscription is confirmed");
            pingAndAwait(near);
            near.put(known.keyHash(), Optional.of(known), Duration.ofMinutes(5), near.generation());
            assertEquals(known, near.get(known.keyHash()).orElseThrow());
            ticker.addAndGet(NearCache.DEFAULT_MAX_STALENESS.toNanos()); // no ping came back since
            assertEquals(null, near.get(known.keyHash()), "a silent subscription stops the near cache within the bound");
            pingAndAwait(near);
            assertEquals(null, near.get(known.keyHash()), "and it was emptied: invalidations may have been missed");
        } finally {
            near.close();
        }
    }

    /**
     * A ping that comes through another master than the last one (a failover, or a restart that lost data) empties the
     * near cache before it confirms anything: the old master may have died with invalidations not yet sent on, and the
     * new master's pings alone would otherwise confirm a cache holding the records those were for.
     */
    @Test
    void aPingThroughAnotherMasterEmptiesTheNearCacheBeforeConfirmingIt() {
        java.util.concurrent.atomic.AtomicLong ticker = new java.util.concurrent.atomic.AtomicLong();
        NearCache near = nearCache(Duration.ofMinutes(5), ticker);
        try {
            pingAndAwait(near);
            ApiKey known = newRecord();
            near.put(known.keyHash(), Optional.of(known), Duration.ofMinutes(5), near.generation());
            pingAndAwait(near);
            assertNotNull(near.get(known.keyHash()), "the same master: the entry stays");
            long before = near.pingsReceived();
            redis.client.getTopic(redis.namespace + "invalidations", org.redisson.client.codec.StringCodec.INSTANCE)
                    .publish(near.pingId() + ticker.get() + ":0123456789abcdef0123456789abcdef01234567"); // another run_id
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (near.pingsReceived() == before && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertEquals(before + 1, near.pingsReceived(), "the forged ping arrived");
            assertEquals(null, near.get(known.keyHash()), "emptied when the master changed");
            near.put(known.keyHash(), Optional.of(known), Duration.ofMinutes(5), near.generation());
            assertNotNull(near.get(known.keyHash()), "and confirmed again by that ping: it serves what it reads from now on");
        } finally {
            near.close();
        }
    }

    /** A flood of unknown keys (anyone can mint well-formed ones) cannot evict the known keys of the near cache. */
    @Test
    void unknownKeysCannotEvictKnownOnesFromTheNearCache() {
        // a ticker that stands still: the flood takes as long as the machine needs without ageing the subscription check
        java.util.concurrent.atomic.AtomicLong ticker = new java.util.concurrent.atomic.AtomicLong();
        NearCache near = nearCache(Duration.ofMinutes(5), ticker);
        try {
            pingAndAwait(near);
            ApiKey known = newRecord();
            near.put(known.keyHash(), Optional.of(known), Duration.ofMinutes(5), near.generation());
            for (int i = 0; i < 10_000; i++) {
                near.put(dev.apiauth.backend.BackendContract.randomHash(), Optional.empty(), Duration.ofSeconds(5), near.generation());
            }
            assertNotNull(near.get(known.keyHash()), "the known key was evicted by unknown ones");
            assertEquals(known, near.get(known.keyHash()).orElseThrow());
        } finally {
            near.close();
        }
    }

    /**
     * Node A cannot write to Redis while node B reads from it: A's revocation fails and changes nothing (no 204
     * while B could still accept the key); retried through either node once possible, it is final on both.
     */
    @Test
    void aRevocationTheCacheCannotTakeFailsAndItsRetryThroughAnyNodeIsFinalEverywhere() {
        for (boolean retryThroughB : new boolean[] {false, true}) {
            java.util.concurrent.atomic.AtomicBoolean broken = new java.util.concurrent.atomic.AtomicBoolean();
            org.redisson.api.RedissonClient faulty = FaultyWrites.wrap(redis.client, broken);
            java.util.concurrent.atomic.AtomicLong ticker = new java.util.concurrent.atomic.AtomicLong();
            RedisCacheBackend nodeA = new RedisCacheBackend(faulty, primary, redis.namespace, Duration.ofMinutes(5), Duration.ofSeconds(5),
                    false, ticker::get);
            RedisCacheBackend nodeB = redis.cache(primary, false);
            dev.apiauth.ApiKeyService a = dev.apiauth.ApiKeyService.builder(nodeA).usageTracking(false, null).build();
            dev.apiauth.ApiKeyService b = dev.apiauth.ApiKeyService.builder(nodeB).usageTracking(false, null).build();
            dev.apiauth.GeneratedKey key = a.create(dev.apiauth.KeyRequest.of("k", "two-nodes"));
            assertTrue(b.validator().validate(key.plaintext(), dev.apiauth.ScopeRequirement.ANY_KEY).isValid(), "cached on node B");
            broken.set(true);
            org.junit.jupiter.api.Assertions.assertThrows(dev.apiauth.backend.BackendException.class, () -> a.revoke(key.record().id()),
                    "a revocation node B could not see must fail");
            assertTrue(!a.get(key.record().id()).orElseThrow().isRevoked(), "and change nothing: no half-done revocation");
            broken.set(false);
            ticker.addAndGet(Duration.ofSeconds(1).toNanos()); // node A's pause after the failure is over
            (retryThroughB ? b : a).revoke(key.record().id()); // the operator retries, through either node
            assertEquals(dev.apiauth.ValidationResult.Outcome.REVOKED,
                    b.validator().validate(key.plaintext(), dev.apiauth.ScopeRequirement.ANY_KEY).outcome(), "node B refuses it");
            assertEquals(dev.apiauth.ValidationResult.Outcome.REVOKED,
                    a.validator().validate(key.plaintext(), dev.apiauth.ScopeRequirement.ANY_KEY).outcome(), "node A too");
            nodeA.close();
            nodeB.close();
        }
    }

    /** A delete the cache cannot take fails too, and its retry leaves a tombstone every node honours. */
    @Test
    void aDeleteTheCacheCannotTakeFailsAndItsRetryIsFinalEverywhere() {
        java.util.concurrent.atomic.AtomicBoolean broken = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicLong ticker = new java.util.concurrent.atomic.AtomicLong();
        RedisCacheBackend nodeA = new RedisCacheBackend(FaultyWrites.wrap(redis.client, broken), primary, redis.namespace,
                Duration.ofMinutes(5), Duration.ofSeconds(5), false, ticker::get);
        RedisCacheBackend nodeB = redis.cache(primary, false);
        ApiKey created = nodeA.create(newRecord());
        assertTrue(nodeB.getByHash(created.keyHash()).isPresent());
        broken.set(true);
        org.junit.jupiter.api.Assertions.assertThrows(dev.apiauth.backend.BackendException.class, () -> nodeA.delete(created.id()));
        assertTrue(primary.getById(created.id()).isPresent(), "not deleted: nothing claimed");
        broken.set(false);
        nodeB.delete(created.id());
        assertTrue(nodeA.getByHash(created.keyHash()).isEmpty());
        assertTrue(nodeB.getByHash(created.keyHash()).isEmpty());
        nodeA.close();
        nodeB.close();
    }

    /**
     * A rotation whose revocation of the old key the cache cannot take fails, and leaves nothing behind: the successor,
     * whose key was never handed out, is withdrawn from the primary even though no tombstone can be written (found by
     * the soak: the owner's listing showed an active key nobody held).
     */
    @Test
    void aRotationTheCacheCannotTakeLeavesNoUnissuedSuccessorBehind() {
        java.util.concurrent.atomic.AtomicBoolean broken = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicLong ticker = new java.util.concurrent.atomic.AtomicLong();
        RedisCacheBackend nodeA = new RedisCacheBackend(FaultyWrites.wrap(redis.client, broken), primary, redis.namespace,
                Duration.ofMinutes(5), Duration.ofSeconds(5), false, ticker::get);
        dev.apiauth.ApiKeyService a = dev.apiauth.ApiKeyService.builder(nodeA).usageTracking(false, null).build();
        dev.apiauth.GeneratedKey key = a.create(dev.apiauth.KeyRequest.of("k", "rotating-owner"));
        broken.set(true);
        org.junit.jupiter.api.Assertions.assertThrows(dev.apiauth.backend.BackendException.class,
                () -> a.rotate(key.record().id(), Duration.ZERO));
        assertEquals(List.of(key.record().id()), primary.listByOwner("rotating-owner").stream().map(ApiKey::id).toList(),
                "nothing claimed, nothing left: only the old key, unchanged");
        assertTrue(!primary.getById(key.record().id()).orElseThrow().isRevoked());
        nodeA.close();
    }

    /**
     * A revocation whose cache write Redis applied although the client saw it time out (found by the soak: the call
     * answered 503, "not changed", yet the key was refused for the cache's full 300 s). The entry written ahead of the
     * primary is shortened to {@link RedisCacheBackend#PREDICTED_TTL} when the change fails; a confirmed one keeps the
     * full TTL (a short-lived prediction would let a reader put the old record back behind a slow primary write).
     */
    @Test
    void aRevocationWhoseCacheWriteTimedOutAfterLandingRefusesTheKeyOnlyBriefly() {
        java.util.concurrent.atomic.AtomicBoolean broken = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicBoolean applied = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.concurrent.atomic.AtomicLong ticker = new java.util.concurrent.atomic.AtomicLong();
        RedisCacheBackend nodeA = new RedisCacheBackend(FaultyWrites.wrap(redis.client, broken, applied), primary, redis.namespace,
                Duration.ofMinutes(5), Duration.ofSeconds(5), false, ticker::get);
        dev.apiauth.ApiKeyService a = dev.apiauth.ApiKeyService.builder(nodeA).usageTracking(false, null).build();
        dev.apiauth.GeneratedKey key = a.create(dev.apiauth.KeyRequest.of("k", "ambiguous"));
        org.redisson.api.RBucket<String> entry = redis.client.getBucket(redis.namespace + "cache:" + key.record().keyHash(),
                org.redisson.client.codec.StringCodec.INSTANCE);
        broken.set(true);
        org.junit.jupiter.api.Assertions.assertThrows(dev.apiauth.backend.BackendException.class, () -> a.revoke(key.record().id()));
        assertTrue(!primary.getById(key.record().id()).orElseThrow().isRevoked(), "the primary was not changed");
        assertTrue(dev.apiauth.internal.RecordCodec.decode(entry.get()).isRevoked(), "Redis holds the predicted revocation the client saw fail");
        long left = entry.remainTimeToLive();
        for (int i = 0; i < 100 && left > RedisCacheBackend.PREDICTED_TTL.toMillis(); i++) { // the shortening is asynchronous
            java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L);
            left = entry.remainTimeToLive();
        }
        assertTrue(left > 0 && left <= RedisCacheBackend.PREDICTED_TTL.toMillis(),
                "the unconfirmed entry expires within " + RedisCacheBackend.PREDICTED_TTL + ", not the cache TTL: " + left + " ms");
        broken.set(false);
        ticker.addAndGet(Duration.ofSeconds(1).toNanos());
        a.revoke(key.record().id()); // the operator's retry
        assertTrue(entry.remainTimeToLive() > RedisCacheBackend.PREDICTED_TTL.toMillis(), "a confirmed revocation keeps the full TTL");
        nodeA.close();
    }

    /** A Redisson client whose writes to the cache fail on demand (reads still work), for one node of two. */
    static final class FaultyWrites {
        static org.redisson.api.RedissonClient wrap(org.redisson.api.RedissonClient real, java.util.concurrent.atomic.AtomicBoolean broken) {
            return wrap(real, broken, new java.util.concurrent.atomic.AtomicBoolean());
        }

        /** {@code applied}: the failing write reaches Redis first, then fails for the caller (a timeout after the send). */
        static org.redisson.api.RedissonClient wrap(org.redisson.api.RedissonClient real, java.util.concurrent.atomic.AtomicBoolean broken,
                                                    java.util.concurrent.atomic.AtomicBoolean applied) {
            return (org.redisson.api.RedissonClient) java.lang.reflect.Proxy.newProxyInstance(FaultyWrites.class.getClassLoader(),
                    new Class<?>[] {org.redisson.api.RedissonClient.class}, (proxy, method, args) -> {
                        Object result = invoke(method, real, args);
                        if (method.getName().equals("getScript") || method.getName().equals("getBucket")) {
                            Class<?> type = method.getReturnType();
                            return java.lang.reflect.Proxy.newProxyInstance(FaultyWrites.class.getClassLoader(), new Class<?>[] {type},
                                    (p, m, a) -> {
                                        boolean write = m.getName().equals("eval") || m.getName().equals("set") || m.getName().equals("delete");
                                        if (write && broken.get()) {
                                            if (applied.get()) {
                                                invoke(m, result, a);
                                                throw new org.redisson.client.RedisTimeoutException("injected: applied, but the answer timed out");
                                            }
                                            throw new org.redisson.client.RedisException("injected: this node cannot reach Redis");
                                        }
                                        return invoke(m, result, a);
                                    });
                        }
                        return result;
                    });
        }

        private static Object invoke(java.lang.reflect.Method method, Object target, Object[] args) throws Throwable {
            try {
                return method.invoke(target, args);
            } catch (java.lang.reflect.InvocationTargetException e) {
                throw e.getCause();
            }
        }
    }

    /** A primary whose next update or read can be held after it committed (or read), until released. */
    static final class PausablePrimary extends dev.apiauth.backend.ForwardingBackend {
        volatile CountDownLatch committed = new CountDownLatch(1);
        volatile CountDownLatch release = new CountDownLatch(1);
        private volatile boolean pauseUpdate;
        private volatile boolean pauseRead;

        PausablePrimary(Backend delegate) {
            super(delegate);
        }

        void pauseNextUpdate() {
            pauseUpdate = true;
        }

        void pauseNextRead() {
            pauseRead = true;
        }

        void reset() {
            committed = new CountDownLatch(1);
            release = new CountDownLatch(1);
        }

        void releaseAll() {
            release.countDown();
        }

        private void hold() {
            committed.countDown();
            try {
                if (!release.await(10, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("never released");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public Optional<ApiKey> getByHash(String keyHash) {
            Optional<ApiKey> found = delegate.getByHash(keyHash);
            if (pauseRead) {
                pauseRead = false;
                hold();
            }
            return found;
        }

        @Override
        public ApiKey update(ApiKey key) {
            ApiKey stored = delegate.update(key);
            if (pauseUpdate) {
                pauseUpdate = false;
                hold();
            }
            return stored;
        }
    }
}
