package dev.apiauth.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiauth.ApiKey;
import dev.apiauth.RateLimit;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link Backend} must have. Extend it, return a fresh or shared backend from
 * {@link #newBackend()}, and the suite runs against it; a custom backend of an application can run it too.
 * Tests use owner ids and hashes of their own, so a backend on a shared store does not need emptying.
 */
public abstract class BackendContract {

    protected Backend backend;
    private final String run = UUID.randomUUID().toString().substring(0, 8);

    /** The backend under test. Called before each test. */
    protected abstract Backend newBackend() throws Exception;

    /** Called after each test; close connections here. */
    protected void release(Backend backend) throws Exception {
    }

    @BeforeEach
    void setUpBackend() throws Exception {
        backend = newBackend();
    }

    @AfterEach
    void tearDownBackend() throws Exception {
        release(backend);
    }

    protected String owner(String name) {
        return name + "-" + run;
    }

    public static String randomHash() {
        String a = UUID.randomUUID().toString().replace("-", "");
        String b = UUID.randomUUID().toString().replace("-", "");
        return a + b;
    }

    protected ApiKey newKey(String owner, Instant createdAt) {
        return new ApiKey(UUID.randomUUID(), "key of " + owner, owner, randomHash(), "ak_Ab12", Set.of("read"),
                createdAt, null, null, null, Map.of(), 0);
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }

    @Test
    void aRateLimitIsStoredChangedAndRemovedLikeAnyField() {
        ApiKey key = newKey(owner("limited"), now()).withRateLimit(RateLimit.of(100, Duration.ofMinutes(1)));
        ApiKey stored = backend.create(key);
        assertEquals(key.rateLimit(), stored.rateLimit());
        assertEquals(key.rateLimit(), backend.getByHash(key.keyHash()).orElseThrow().rateLimit());
        assertEquals(key.rateLimit(), backend.getById(key.id()).orElseThrow().rateLimit());
        assertEquals(key.rateLimit(), backend.listByOwner(key.ownerId()).get(0).rateLimit());
        ApiKey changed = backend.update(stored.withRateLimit(RateLimit.of(5, Duration.ofDays(1))));
        assertEquals(RateLimit.of(5, Duration.ofDays(1)), backend.getByHash(key.keyHash()).orElseThrow().rateLimit());
        backend.update(changed.withRateLimit(null));
        assertEquals(null, backend.getByHash(key.keyHash()).orElseThrow().rateLimit());
        assertEquals(null, backend.getById(key.id()).orElseThrow().rateLimit());
    }

    @Test
    void createdKeyIsFoundByHashAndById() {
        ApiKey key = newKey(owner("alice"), now());
        ApiKey stored = backend.create(key);
        assertEquals(key.withVersion(stored.version()), stored, "stored as given, with the backend's initial version");
        assertEquals(stored, backend.getByHash(key.keyHash()).orElseThrow());
        assertEquals(stored, backend.getById(key.id()).orElseThrow());
    }

    @Test
    void everyFieldSurvivesTheRoundTrip() {
        Instant created = now().minusSeconds(3600);
        ApiKey key = new ApiKey(UUID.randomUUID(), "ci pipeline", owner("tenant"), randomHash(), "ci_Zz09",
                Set.of("orders:read", "orders:write", "admin"), created, created.plusSeconds(86_400),
                created.plusSeconds(60), created.plusSeconds(120),
                Map.of("team", "payments", "ticket", "OPS-1234", "unicode", "clé ✓"), 0);
        ApiKey stored = backend.create(key);
        ApiKey read = backend.getByHash(key.keyHash()).orElseThrow();
        assertEquals(key.withVersion(stored.version()), read);
        assertEquals(Set.of("orders:read", "orders:write", "admin"), read.scopes());
        assertEquals("clé ✓", read.metadata().get("unicode"));
    }

    /**
     * One expiry rule on every backend: an expired key is still found (so it is refused as {@code expired}, never
     * {@code unknown}) and still listed; dropping it for good is a separate, later retention.
     */
    @Test
    void anExpiredKeyIsStillFoundAndListed() {
        Instant created = now().minusSeconds(7200);
        ApiKey key = new ApiKey(UUID.randomUUID(), "rotated away", owner("expired"), randomHash(), "ak_Ex01", Set.of("read"),
                created, created.plusSeconds(3600), null, null, Map.of(), 0);
        ApiKey stored = backend.create(key);
        ApiKey found = backend.getByHash(key.keyHash()).orElseThrow(() -> new AssertionError("an expired key must still be found"));
        assertTrue(found.isExpiredAt(Instant.now()));
        assertEquals(stored, found);
        assertEquals(stored, backend.getById(key.id()).orElseThrow());
        assertEquals(List.of(stored), backend.listByOwner(owner("expired")), "and still listed");
        ApiKey revoked = backend.update(stored.withRevokedAt(now()));
        assertEquals(revoked, backend.getByHash(key.keyHash()).orElseThrow(), "and still updatable");
    }

    @Test
    void theHashAndOwnerOfAKeyNeverChange() {
        ApiKey stored = backend.create(newKey(owner("fixed"), now()));
        ApiKey otherHash = new ApiKey(stored.id(), stored.name(), stored.ownerId(), randomHash(), stored.hint(), stored.scopes(),
                stored.createdAt(), stored.expiresAt(), stored.lastUsedAt(), stored.revokedAt(), stored.metadata(), stored.version());
        ApiKey otherOwner = new ApiKey(stored.id(), stored.name(), owner("thief"), stored.keyHash(), stored.hint(), stored.scopes(),
                stored.createdAt(), stored.expiresAt(), stored.lastUsedAt(), stored.revokedAt(), stored.metadata(), stored.version());
        assertThrows(IllegalArgumentException.class, () -> backend.update(otherHash));
        assertThrows(IllegalArgumentException.class, () -> backend.update(otherOwner));
        assertEquals(stored, backend.getById(stored.id()).orElseThrow(), "nothing changed");
        assertTrue(backend.getByHash(otherHash.keyHash()).isEmpty());
        assertTrue(backend.listByOwner(owner("thief")).isEmpty());
    }

    @Test
    void unknownHashAndIdAreEmpty() {
        assertTrue(backend.getByHash(randomHash()).isEmpty());
        assertTrue(backend.getById(UUID.randomUUID()).isEmpty());
    }

    @Test
    void createRejectsDuplicateIdAndDuplicateHash() {
        ApiKey key = backend.create(newKey(owner("dup"), now()));
        ApiKey sameId = new ApiKey(key.id(), "other", key.ownerId(), randomHash(), "ak_0000", Set.of(), now(), null, null, null, Map.of(), 0);
        assertThrows(DuplicateKeyException.class, () -> backend.create(sameId));
        ApiKey sameHash = new ApiKey(UUID.randomUUID(), "other", key.ownerId(), key.keyHash(), "ak_0000", Set.of(), now(), null, null, null, Map.of(), 0);
        assertThrows(DuplicateKeyException.class, () -> backend.create(sameHash));
        assertEquals(key, backend.getByHash(key.keyHash()).orElseThrow());
        assertTrue(backend.getById(sameHash.id()).isEmpty(), "a refused create stores nothing");
        assertEquals(1, backend.listByOwner(key.ownerId()).size());
    }

    @Test
    void updateReplacesTheRecordAndBumpsTheVersion() {
        ApiKey key = backend.create(newKey(owner("upd"), now()));
        Instant revoked = now();
        ApiKey updated = backend.update(key.withRevokedAt(revoked));
        assertNotEquals(key.version(), updated.version(), "every update gives a new version");
        assertEquals(key.version() + 1, updated.version(), "exactly the next one: caches in front of a backend predict it");
        assertEquals(key.withRevokedAt(revoked).withVersion(updated.version()), updated);
        ApiKey byHash = backend.getByHash(key.keyHash()).orElseThrow();
        assertEquals(updated, byHash);
        assertEquals(byHash, backend.getById(key.id()).orElseThrow());
        assertEquals(List.of(byHash), backend.listByOwner(key.ownerId()));
    }

    @Test
    void updateOfUnknownIdFails() {
        ApiKey never = newKey(owner("ghost"), now());
        assertThrows(UnknownKeyException.class, () -> backend.update(never));
        assertTrue(backend.getById(never.id()).isEmpty());
    }

    @Test
    void updateWithStaleVersionFailsAndKeepsTheNewerRecord() {
        ApiKey key = backend.create(newKey(owner("stale"), now()));
        ApiKey first = backend.update(key.withLastUsedAt(now()));
        assertThrows(ConcurrentUpdateException.class, () -> backend.update(key.withRevokedAt(now())));
        ApiKey stored = backend.getById(key.id()).orElseThrow();
        assertEquals(first, stored);
        assertEquals(null, stored.revokedAt(), "the stale write must not land");
    }

    @Test
    void deleteRemovesEverywhereAndIsIdempotent() {
        ApiKey key = backend.create(newKey(owner("del"), now()));
        backend.delete(key.id());
        assertTrue(backend.getByHash(key.keyHash()).isEmpty());
        assertTrue(backend.getById(key.id()).isEmpty());
        assertTrue(backend.listByOwner(key.ownerId()).isEmpty());
        backend.delete(key.id());
        backend.delete(UUID.randomUUID());
    }

    @Test
    void discardUnissuedRemovesEverywhereAndIsIdempotent() {
        ApiKey key = backend.create(newKey(owner("discard"), now()));
        backend.discardUnissued(key.id());
        assertTrue(backend.getByHash(key.keyHash()).isEmpty());
        assertTrue(backend.getById(key.id()).isEmpty());
        assertTrue(backend.listByOwner(key.ownerId()).isEmpty());
        backend.discardUnissued(key.id());
    }

    @Test
    void deletedHashCanBeCreatedAgain() {
        ApiKey key = backend.create(newKey(owner("again"), now()));
        backend.delete(key.id());
        ApiKey again = new ApiKey(UUID.randomUUID(), "again", key.ownerId(), key.keyHash(), key.hint(), Set.of(), now(), null, null, null, Map.of(), 0);
        backend.create(again);
        assertEquals(again.id(), backend.getByHash(key.keyHash()).orElseThrow().id());
    }

    @Test
    void ownerIdsAreCaseSensitive() {
        ApiKey lower = backend.create(newKey(owner("case"), now()));
        String upper = lower.ownerId().toUpperCase();
        assertTrue(backend.listByOwner(upper).isEmpty(), "owner ids are compared exactly");
    }

    @Test
    void emptyScopesAndMetadataRoundTrip() {
        ApiKey key = new ApiKey(UUID.randomUUID(), "bare", owner("bare"), randomHash(), "ak_Bare", Set.of(), now(), null, null, null, Map.of(), 0);
        ApiKey stored = backend.create(key);
        ApiKey read = backend.getById(key.id()).orElseThrow();
        assertEquals(stored, read);
        assertTrue(read.scopes().isEmpty());
        assertTrue(read.metadata().isEmpty());
    }

    @Test
    void listByOwnerIsNewestFirstAndOnlyThatOwner() {
        String owner = owner("list");
        Instant base = now().minusSeconds(1000);
        ApiKey oldest = backend.create(newKey(owner, base));
        ApiKey newest = backend.create(newKey(owner, base.plusSeconds(20)));
        ApiKey middle = backend.create(newKey(owner, base.plusSeconds(10)));
        backend.create(newKey(owner("someone-else"), base.plusSeconds(30)));
        assertEquals(List.of(newest, middle, oldest), backend.listByOwner(owner));
        assertTrue(backend.listByOwner(owner("nobody")).isEmpty());
    }

    @Test
    void concurrentCreatesAndReadsLoseNothing() throws Exception {
        int threads = 8;
        int perThread = 50;
        String owner = owner("load");
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<List<ApiKey>>> results = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            results.add(pool.submit(() -> {
                start.await();
                List<ApiKey> mine = new ArrayList<>();
                for (int i = 0; i < perThread; i++) {
                    ApiKey key = backend.create(newKey(owner, now()));
                    mine.add(key);
                    if (backend.getByHash(key.keyHash()).isEmpty()) {
                        throw new AssertionError("a key just created was not found by hash");
                    }
                }
                return mine;
            }));
        }
        start.countDown();
        Set<UUID> created = new HashSet<>();
        for (Future<List<ApiKey>> result : results) {
            result.get(60, TimeUnit.SECONDS).forEach(k -> created.add(k.id()));
        }
        pool.shutdown();
        assertEquals(threads * perThread, created.size());
        List<ApiKey> listed = backend.listByOwner(owner);
        assertEquals(threads * perThread, listed.size());
        assertEquals(created, new HashSet<>(listed.stream().map(ApiKey::id).toList()));
    }

    @Test
    void concurrentCreatesOfOneHashHaveExactlyOneWinner() throws Exception {
        String hash = randomHash();
        String owner = owner("race");
        int threads = 8;
        AtomicInteger wins = new AtomicInteger();
        AtomicInteger duplicates = new AtomicInteger();
        runTogether(threads, () -> {
            try {
                backend.create(new ApiKey(UUID.randomUUID(), "racer", owner, hash, "ak_Race", Set.of(), now(), null, null, null, Map.of(), 0));
                wins.incrementAndGet();
            } catch (DuplicateKeyException e) {
                duplicates.incrementAndGet();
            }
            return null;
        });
        assertEquals(1, wins.get());
        assertEquals(threads - 1, duplicates.get());
        assertEquals(1, backend.listByOwner(owner).size());
    }

    @Test
    void concurrentUpdatesOfOneVersionHaveExactlyOneWinner() throws Exception {
        ApiKey key = backend.create(newKey(owner("cas"), now()));
        int threads = 8;
        AtomicInteger wins = new AtomicInteger();
        AtomicInteger conflicts = new AtomicInteger();
        runTogether(threads, () -> {
            try {
                backend.update(key.withLastUsedAt(now()));
                wins.incrementAndGet();
            } catch (ConcurrentUpdateException e) {
                conflicts.incrementAndGet();
            }
            return null;
        });
        assertEquals(1, wins.get());
        assertEquals(threads - 1, conflicts.get());
        assertNotEquals(key.version(), backend.getById(key.id()).orElseThrow().version());
    }

    private static void runTogether(int threads, Callable<Void> task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Void>> futures = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            futures.add(pool.submit(() -> {
                start.await();
                return task.call();
            }));
        }
        start.countDown();
        for (Future<Void> f : futures) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();
    }
}
