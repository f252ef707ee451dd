package dev.apiauth.backend.redis;

import dev.apiauth.backend.NearCacheSettings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiauth.ApiKey;
import dev.apiauth.backend.BackendContract;
import dev.apiauth.backend.BackendException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;

/**
 * The near cache of the {@code redis} backend (apiauth.cache.local=true): lookups answered from memory, every write
 * reaching every node's memory through the message its script publishes, and no answer from memory once invalidations
 * are not known to arrive for longer than the staleness bound.
 */
class RedisNearCacheTest {

    private static final Duration TTL = Duration.ofMinutes(5);
    private final List<AutoCloseable> closing = new ArrayList<>();
    private RedissonClient clientA;
    private RedissonClient clientB;
    private String namespace;

    @BeforeEach
    void connect() {
        clientA = TestRedis.client();
        clientB = TestRedis.client();
        namespace = TestRedis.namespace();
    }

    @AfterEach
    void disconnect() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
        TestRedis.deleteNamespace(clientA, namespace);
        clientA.shutdown();
        clientB.shutdown();
    }

    private RedisBackend node(RedissonClient client, NearCacheSettings settings) {
        RedisBackend backend = new RedisBackend(client, namespace, RedisBackend.DEFAULT_EXPIRED_RETENTION, settings);
        closing.add(backend::close);
        return backend;
    }

    private RedisBackend nearNode(RedissonClient client) {
        RedisBackend backend = node(client, NearCacheSettings.on(TTL, Duration.ofSeconds(5)));
        awaitLive(backend.nearCache());
        return backend;
    }

    @Test
    void aKnownKeyIsAnsweredFromMemoryWithoutAskingRedis() {
        RedisBackend node = nearNode(clientA);
        ApiKey key = node.create(newRecord());
        RedisCacheRaceTest.pingAndAwait(node.nearCache()); // the create's own message is back (it would drop the entry cached before it)
        assertEquals(key, node.getByHash(key.keyHash()).orElseThrow());
        // removed behind the backend's back (no message): only an answer from memory can still find it
        clientA.getKeys().delete(namespace + "key:" + key.keyHash());
        assertEquals(key, node.getByHash(key.keyHash()).orElseThrow(), "answered from the near cache");
        RedisBackend without = node(clientB, NearCacheSettings.OFF);
        assertTrue(without.getByHash(key.keyHash()).isEmpty(), "Redis itself no longer has it");
    }

    @Test
    void aRevocationOnOneNodeReachesTheOtherNodesMemoryWithinTheBound() throws Exception {
        RedisBackend a = nearNode(clientA);
        RedisBackend b = nearNode(clientB);
        ApiKey key = a.create(newRecord());
        RedisCacheRaceTest.pingAndAwait(b.nearCache()); // the create's message reached B before B caches the key
        assertEquals(key, b.getByHash(key.keyHash()).orElseThrow());
        assertNotNull(b.nearCache().get(key.keyHash()), "now in B's memory");

        long start = System.nanoTime();
        ApiKey revoked = a.update(key.withRevokedAt(Instant.now().truncatedTo(ChronoUnit.MILLIS)));
        long seenAfter = -1;
        while (System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5)) {
            if (b.getByHash(key.keyHash()).orElseThrow().isRevoked()) {
                seenAfter = System.nanoTime() - start;
                break;
            }
        }
        assertTrue(seenAfter >= 0, "B never saw the revocation");
        assertTrue(seenAfter < NearCache.DEFAULT_MAX_STALENESS.toNanos(), "B refused the key after " + seenAfter / 1000 + " us");
        assertEquals(revoked, b.getByHash(key.keyHash()).orElseThrow());
        assertEquals(revoked, a.getByHash(key.keyHash()).orElseThrow(), "the writer's own memory at once");
    }

    @Test
    void aDeleteOnOneNodeReachesTheOtherNodesMemoryWithinTheBound() {
        RedisBackend a = nearNode(clientA);
        RedisBackend b = nearNode(clientB);
        ApiKey key = a.create(newRecord());
        RedisCacheRaceTest.pingAndAwait(b.nearCache());
        assertEquals(key, b.getByHash(key.keyHash()).orElseThrow());
        assertNotNull(b.nearCache().get(key.keyHash()), "in B's memory");
        a.delete(key.id());
        assertTrue(a.getByHash(key.keyHash()).isEmpty(), "the writer's own memory at once");
        long start = System.nanoTime();
        boolean gone = false;
        while (!gone && System.nanoTime() - start < NearCache.DEFAULT_MAX_STALENESS.toNanos()) {
            gone = b.getByHash(key.keyHash()).isEmpty();
        }
        assertTrue(gone, "B still found the deleted key after the bound");
    }

    @Test
    void aKeyCreatedOnOneNodeIsNotRefusedAsUnknownByAnotherThatLookedForItBefore() {
        RedisBackend a = nearNode(clientA);
        RedisBackend b = nearNode(clientB);
        ApiKey record = newRecord();
        assertTrue(b.getByHash(record.keyHash()).isEmpty());
        assertNotNull(b.nearCache().get(record.keyHash()), "\"no such key\" now in B's memory, for the negative ttl");
        a.create(record);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        Optional<ApiKey> seen = Optional.empty();
        while (seen.isEmpty() && System.nanoTime() < deadline) {
            seen = b.getByHash(record.keyHash());
        }
        assertTrue(seen.isPresent(), "the create's message dropped B's negative entry");
    }

    @Test
    void aLookupOverlappingAnInvalidationDoesNotCacheWhatItRead() {
        NearCache near = confirmedNearCache();
        ApiKey old = newRecord();
        long before = near.generation();
        near.invalidateHere(old.keyHash()); // a write landed while the lookup was reading
        near.put(old.keyHash(), Optional.of(old), TTL, before);
        assertNull(near.get(old.keyHash()), "the older read was not cached");
    }

    /** Caffeine's W-TinyLFU: a burst of keys used once does not flush the keys in use. */
    @Test
    void keysInUseSurviveABurstOfKeysSeenOnce() {
        NearCache near = confirmedNearCache();
        List<ApiKey> hot = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            ApiKey key = newRecord();
            hot.add(key);
            near.put(key.keyHash(), Optional.of(key), TTL, near.generation());
        }
        for (int round = 0; round < 10; round++) {
            for (ApiKey key : hot) {
                assertNotNull(near.get(key.keyHash()));
            }
        }
        for (int i = 0; i < 2_000; i++) { // ten times the bound's worth of keys, each seen once
            ApiKey once = newRecord();
            near.put(once.keyHash(), Optional.of(once), TTL, near.generation());
        }
        long kept = hot.stream().filter(k -> near.get(k.keyHash()) != null).count();
        assertTrue(kept >= 45, "keys in use kept: " + kept + " of 50");
        assertTrue(near.size() <= 2 * 100, "bounded: " + near.size());
    }

    /**
     * With its own Redis stopped, a node answers from memory for at most the staleness bound after its last confirmed
     * ping, then refuses (503) and never answers from memory again while Redis is down; it recovers without a restart.
     */
    @Test
    void withRedisStoppedNothingIsAnsweredFromMemoryPastTheBound() throws Exception {
        try (OwnRedisServer server = new OwnRedisServer(true)) {
            RedissonClient own = TestRedis.client(server.address(), false);
            try {
                RedisBackend node = node(own, NearCacheSettings.on(TTL, Duration.ofSeconds(5)));
                awaitLive(node.nearCache());
                ApiKey key = node.create(newRecord());
                RedisCacheRaceTest.pingAndAwait(node.nearCache());
                assertEquals(key, node.getByHash(key.keyHash()).orElseThrow());
                assertNotNull(node.nearCache().get(key.keyHash()), "held in memory before Redis stops");

                server.stop();
                long stopped = System.nanoTime();
                long bound = NearCache.DEFAULT_MAX_STALENESS.toNanos();
                long lastAnswerStartedAfter = -1;
                int refusals = 0;
                while (System.nanoTime() - stopped < bound + TimeUnit.SECONDS.toNanos(3)) {
                    long started = System.nanoTime() - stopped;
                    try {
                        node.getByHash(key.keyHash());
                        assertEquals(0, refusals, "an answer after a refusal, at " + started / 1_000_000 + " ms, while Redis is down");
                        lastAnswerStartedAfter = started;
                    } catch (BackendException e) {
                        refusals++;
                    }
                    java.util.concurrent.locks.LockSupport.parkNanos(1_000_000); // leave the other core to Redisson
                }
                assertTrue(refusals > 0, "Redis down for over the bound and still answered from memory");
                assertTrue(lastAnswerStartedAfter < bound, "answered from memory " + lastAnswerStartedAfter / 1_000_000
                        + " ms after Redis stopped; the bound is " + bound / 1_000_000 + " ms");

                server.start(); // persistent: the key is still there
                Optional<ApiKey> after = Optional.empty();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (after.isEmpty() && System.nanoTime() < deadline) {
                    try {
                        after = node.getByHash(key.keyHash());
                    } catch (BackendException e) {
                        Thread.sleep(50);
                    }
                }
                assertEquals(key, after.orElseThrow(), "Redis answers again without a restart");
            } finally {
                own.shutdown();
            }
        }
    }

    /** A near cache of 100 entries per kind whose ticker stands still and whose subscription is confirmed. */
    private NearCache confirmedNearCache() {
        AtomicLong ticker = new AtomicLong();
        NearCache near = new NearCache(clientA, namespace + NearCache.CHANNEL, TTL, 100, NearCache.DEFAULT_MAX_STALENESS, ticker::get, false);
        closing.add(near);
        RedisCacheRaceTest.pingAndAwait(near);
        return near;
    }

    private static void awaitLive(NearCache near) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!near.isLive()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the near cache did not confirm its subscription within 10 s");
            }
            Thread.onSpinWait();
        }
    }

    private static ApiKey newRecord() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        return new ApiKey(UUID.randomUUID(), "near", "near-owner", BackendContract.randomHash(), "ak_Near", Set.of(), now, null, null,
                null, Map.of(), 0);
    }
}
