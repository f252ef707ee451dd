package dev.apiauth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiauth.ApiKeyRequired.Match;
import dev.apiauth.ValidationResult.Outcome;
import dev.apiauth.backend.UnknownKeyException;
import dev.apiauth.backend.memory.MemoryBackend;
import dev.apiauth.internal.KeyCodec;
import dev.apiauth.internal.KeyHasher;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ApiKeyServiceTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final CountingBackend backend = new CountingBackend(new MemoryBackend());
    private final ApiKeyService service = ApiKeyService.builder(backend).clock(clock).usageTracking(true, null).build();
    private final ApiKeyValidator validator = service.validator();

    @AfterEach
    void close() {
        service.close();
    }

    private Outcome check(String key, ScopeRequirement required) {
        return validator.validate(key, required).outcome();
    }

    private Outcome check(String key) {
        return check(key, ScopeRequirement.ANY_KEY);
    }

    @Test
    void anOwnerCannotHoldMoreActiveKeysThanAllowedAndRotationIsNotACreate() {
        ApiKeyService limited = ApiKeyService.builder(new MemoryBackend()).clock(clock).usageTracking(false, null)
                .maxActivePerOwner(2).build();
        GeneratedKey first = limited.create(KeyRequest.of("a", "team-max"));
        limited.create(KeyRequest.of("b", "team-max"));
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> limited.create(KeyRequest.of("c", "team-max")));
        assertTrue(refused.getMessage().contains("apiauth.keys.max-active-per-owner=2"), refused.getMessage());
        assertEquals(2, limited.listByOwner("team-max").size(), "nothing stored");
        limited.create(KeyRequest.of("other", "team-other")); // another owner has its own count
        GeneratedKey successor = limited.rotate(first.record().id(), java.time.Duration.ofHours(1)); // replaces a key: allowed at the maximum
        // but not again with a grace period while the first successor is active: that would mint keys beyond the maximum
        assertThrows(IllegalStateException.class, () -> limited.rotate(first.record().id(), java.time.Duration.ofHours(1)));
        limited.rotate(successor.record().id(), java.time.Duration.ZERO); // a rotation without grace is a swap
        clock.advance(java.time.Duration.ofHours(2)); // the old key's grace is over: b and the latest successor are active
        assertThrows(IllegalStateException.class, () -> limited.create(KeyRequest.of("c", "team-max")));
        limited.revoke(limited.listByOwner("team-max").stream().filter(k -> k.name().equals("b")).findFirst().orElseThrow().id());
        limited.create(KeyRequest.of("d", "team-max"));
        assertThrows(IllegalStateException.class, () -> limited.create(KeyRequest.of("e", "team-max")));
        limited.close();
    }

    /** Sixteen concurrent creates for one owner on one service, released together: exactly the maximum succeed. */
    @Test
    void concurrentCreatesOnOneNodeCannotExceedTheMaximum() throws Exception {
        ApiKeyService limited = ApiKeyService.builder(new MemoryBackend()).clock(clock).usageTracking(false, null)
                .maxActivePerOwner(5).build();
        java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(16);
        java.util.List<java.util.concurrent.Future<Boolean>> results = new java.util.ArrayList<>();
        for (int i = 0; i < 16; i++) {
            int n = i;
            results.add(pool.submit(() -> {
                start.await();
                try {
                    limited.create(KeyRequest.of("k" + n, "team-race"));
                    return true;
                } catch (IllegalStateException refused) {
                    return false;
                }
            }));
        }
        start.countDown();
        int created = 0;
        for (java.util.concurrent.Future<Boolean> result : results) {
            created += result.get() ? 1 : 0;
        }
        pool.shutdown();
        assertEquals(5, created);
        assertEquals(5, limited.listByOwner("team-race").size());
        limited.close();
    }

    @Test
    void createdKeyValidatesAndItsRecordHoldsNoPlaintext() {
        GeneratedKey key = service.create(KeyRequest.of("ci", "team-1", "orders:read"));
        ValidationResult result = validator.validate(key.plaintext(), ScopeRequirement.ANY_KEY);
        assertTrue(result.isValid());
        assertEquals(key.record().id(), result.key().id());
        ApiKey stored = service.get(key.record().id()).orElseThrow();
        assertEquals(KeyHasher.unpeppered().hash(key.plaintext()), stored.keyHash());
        assertEquals(KeyCodec.hint(key.plaintext()), stored.hint());
        assertFalse(stored.toString().contains(key.plaintext().substring(7)));
        assertFalse(key.toString().contains(key.plaintext()), "GeneratedKey.toString must not print the key");
    }

    @Test
    void missingAndMalformedKeysNeverReachTheBackend() {
        String valid = service.create(KeyRequest.of("a", "o")).plaintext();
        int before = backend.reads.get();
        assertEquals(Outcome.MISSING, check(null));
        assertEquals(Outcome.MISSING, check(""));
        assertEquals(Outcome.MALFORMED, check("hunter2"));
        assertEquals(Outcome.MALFORMED, check(valid.substring(0, valid.length() - 1) + (valid.endsWith("0") ? "1" : "0")));
        assertEquals(before, backend.reads.get());
    }

    @Test
    void wellFormedButUnknownKeyIsUnknown() {
        assertEquals(Outcome.UNKNOWN, check(new KeyCodec("ak_").generate()));
    }

    @Test
    void keysOfAnotherServicePepperAreUnknown() {
        String key = service.create(KeyRequest.of("a", "o")).plaintext();
        ApiKeyService peppered = ApiKeyService.builder(backend).pepper("pepper".getBytes(StandardCharsets.UTF_8)).build();
        assertEquals(Outcome.UNKNOWN, peppered.validator().validate(key, ScopeRequirement.ANY_KEY).outcome());
        String pepperedKey = peppered.create(KeyRequest.of("b", "o")).plaintext();
        assertEquals(Outcome.VALID, peppered.validator().validate(pepperedKey, ScopeRequirement.ANY_KEY).outcome());
        peppered.close();
    }

    @Test
    void revokedKeyIsRefusedAtOnce() {
        GeneratedKey key = service.create(KeyRequest.of("a", "o"));
        ApiKey revoked = service.revoke(key.record().id());
        assertEquals(clock.instant(), revoked.revokedAt());
        assertEquals(Outcome.REVOKED, check(key.plaintext()));
        assertEquals(revoked, service.revoke(key.record().id()), "revoking twice changes nothing");
        assertThrows(UnknownKeyException.class, () -> service.revoke(UUID.randomUUID()));
    }

    @Test
    void keyExpiresAtItsExpiry() {
        GeneratedKey key = service.create(KeyRequest.of("a", "o").expiringAt(clock.instant().plusSeconds(60)));
        clock.advance(Duration.ofSeconds(59));
        assertEquals(Outcome.VALID, check(key.plaintext()));
        clock.advance(Duration.ofSeconds(1));
        assertEquals(Outcome.EXPIRED, check(key.plaintext()));
    }

    @Test
    void scopesAllAndAny() {
        String key = service.create(KeyRequest.of("a", "o", "read", "write")).plaintext();
        assertEquals(Outcome.VALID, check(key, ScopeRequirement.of(Match.ALL, "read", "write")));
        assertEquals(Outcome.INSUFFICIENT_SCOPE, check(key, ScopeRequirement.of(Match.ALL, "read", "admin")));
        assertEquals(Outcome.VALID, check(key, ScopeRequirement.of(Match.ANY, "admin", "write")));
        assertEquals(Outcome.INSUFFICIENT_SCOPE, check(key, ScopeRequirement.of(Match.ANY, "admin", "root")));
    }

    @Test
    void backendFailureFailsClosed() {
        String key = service.create(KeyRequest.of("a", "o")).plaintext();
        backend.failing = true;
        assertEquals(Outcome.BACKEND_UNAVAILABLE, check(key));
        backend.failing = false;
        assertEquals(Outcome.VALID, check(key));
    }

    @Test
    void createRefusesBadRequestsAndStoresNothing() {
        Instant past = clock.instant().minusSeconds(1);
        assertMessage("name: must not be blank", () -> service.create(KeyRequest.of(" ", "o")));
        assertMessage("ownerId: must not be blank", () -> service.create(KeyRequest.of("n", null)));
        assertMessage("scopes: not a scope", () -> service.create(KeyRequest.of("n", "o", " ")));
        assertMessage("scopes: not a scope", () -> service.create(KeyRequest.of("n", "o", "a b")));
        assertMessage("scopes: not a scope", () -> service.create(KeyRequest.of("n", "o", "a\u0000")));
        assertMessage("ownerId: must not start or end with whitespace", () -> service.create(KeyRequest.of("n", "owner ")));
        assertMessage("ownerId: must not contain control characters", () -> service.create(KeyRequest.of("n", "ow\nner")));
        assertMessage("scopes: 65 scopes; at most 64", () -> service.create(new KeyRequest("n", "o",
                java.util.stream.IntStream.range(0, 65).mapToObj(i -> "s" + i).collect(java.util.stream.Collectors.toSet()), null, null)));
        assertMessage("metadata: 33 entries; at most 32", () -> service.create(KeyRequest.of("n", "o").withMetadata(
                java.util.stream.IntStream.range(0, 33).boxed().collect(java.util.stream.Collectors.toMap(i -> "k" + i, i -> "v")))));
        assertMessage("expiresAt: +10000-01-01T00:00:00Z is more than 36500 days in the future",
                () -> service.create(KeyRequest.of("n", "o").expiringAt(Instant.parse("+10000-01-01T00:00:00Z"))));
        assertMessage("expiresAt: " + past + " is not in the future", () -> service.create(KeyRequest.of("n", "o").expiringAt(past)));
        assertMessage("name: longer than 256", () -> service.create(KeyRequest.of("n".repeat(257), "o")));
        assertEquals(0, backend.writes.get());
    }

    private static void assertMessage(String start, Runnable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
        assertTrue(e.getMessage().startsWith(start), e.getMessage());
    }

    @Test
    void rotationKeepsTheOldKeyForTheGracePeriodOnly() {
        GeneratedKey old = service.create(new KeyRequest("deploy", "o", Set.of("ship"), null, Map.of("team", "x")));
        GeneratedKey successor = service.rotate(old.record().id(), Duration.ofHours(1));
        assertNotEquals(old.plaintext(), successor.plaintext());
        assertEquals(Set.of("ship"), successor.record().scopes());
        assertEquals(Map.of("team", "x"), successor.record().metadata());
        assertEquals("o", successor.record().ownerId());
        assertEquals(Outcome.VALID, check(old.plaintext()));
        assertEquals(Outcome.VALID, check(successor.plaintext()));
        clock.advance(Duration.ofMinutes(59));
        assertEquals(Outcome.VALID, check(old.plaintext()));
        clock.advance(Duration.ofMinutes(1));
        assertEquals(Outcome.EXPIRED, check(old.plaintext()));
        assertEquals(Outcome.VALID, check(successor.plaintext()));
    }

    @Test
    void graceNeverExtendsTheOldKeysOwnExpiry() {
        Instant expiry = clock.instant().plusSeconds(600);
        GeneratedKey old = service.create(KeyRequest.of("a", "o").expiringAt(expiry));
        GeneratedKey successor = service.rotate(old.record().id(), Duration.ofDays(7));
        assertEquals(expiry, service.get(old.record().id()).orElseThrow().expiresAt());
        assertEquals(expiry, successor.record().expiresAt());
    }

    @Test
    void rotationWithoutGraceRevokesAtOnceAndRevokedKeysCannotRotate() {
        GeneratedKey old = service.create(KeyRequest.of("a", "o"));
        service.rotate(old.record().id(), Duration.ZERO);
        assertEquals(Outcome.REVOKED, check(old.plaintext()));
        assertThrows(IllegalStateException.class, () -> service.rotate(old.record().id(), Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> service.rotate(old.record().id(), Duration.ofSeconds(-1)));
    }

    @Test
    void listByOwnerIsNewestFirstAndDeleteIsFinal() {
        GeneratedKey first = service.create(KeyRequest.of("a", "owner"));
        clock.advance(Duration.ofSeconds(1));
        GeneratedKey second = service.create(KeyRequest.of("b", "owner"));
        List<ApiKey> keys = service.listByOwner("owner");
        assertEquals(List.of(second.record().id(), first.record().id()), keys.stream().map(ApiKey::id).toList());
        service.delete(first.record().id());
        service.delete(first.record().id());
        assertEquals(Outcome.UNKNOWN, check(first.plaintext()));
        assertEquals(1, service.listByOwner("owner").size());
    }

    @Test
    void usageIsWrittenOncePerFlushNotPerRequest() {
        GeneratedKey key = service.create(KeyRequest.of("a", "o"));
        int writesBefore = backend.writes.get();
        for (int i = 0; i < 1000; i++) {
            clock.advance(Duration.ofMillis(5));
            assertEquals(Outcome.VALID, check(key.plaintext()));
        }
        assertEquals(writesBefore, backend.writes.get(), "validation must not write");
        assertEquals(1, service.flushUsage());
        assertEquals(writesBefore + 1, backend.writes.get());
        assertEquals(clock.instant(), service.get(key.record().id()).orElseThrow().lastUsedAt());
        assertEquals(0, service.flushUsage(), "nothing new, nothing written");
        assertEquals(1, service.usageWrites());
    }

    @Test
    void usageNeverMovesBackwards() {
        GeneratedKey key = service.create(KeyRequest.of("a", "o"));
        Instant later = clock.instant().plusSeconds(100);
        ApiKey stored = service.get(key.record().id()).orElseThrow();
        backend.update(stored.withLastUsedAt(later));
        check(key.plaintext());
        assertEquals(0, service.flushUsage());
        assertEquals(later, service.get(key.record().id()).orElseThrow().lastUsedAt());
    }

    @Test
    void usageIsKeptWhileTheBackendIsDownAndWrittenLater() {
        GeneratedKey key = service.create(KeyRequest.of("a", "o"));
        check(key.plaintext());
        backend.failing = true;
        assertThrows(RuntimeException.class, service::flushUsage);
        backend.failing = false;
        assertEquals(1, service.flushUsage());
        assertEquals(clock.instant(), service.get(key.record().id()).orElseThrow().lastUsedAt());
    }

    @Test
    void usageOfDeletedKeyIsDropped() {
        GeneratedKey key = service.create(KeyRequest.of("a", "o"));
        check(key.plaintext());
        service.delete(key.record().id());
        assertEquals(0, service.flushUsage());
    }

    @Test
    void usageTrackingCanBeOff() {
        ApiKeyService quiet = ApiKeyService.builder(backend).usageTracking(false, null).build();
        GeneratedKey key = quiet.create(KeyRequest.of("a", "o"));
        quiet.validator().validate(key.plaintext(), ScopeRequirement.ANY_KEY);
        assertEquals(0, quiet.flushUsage());
        assertNull(quiet.get(key.record().id()).orElseThrow().lastUsedAt());
    }

    @Test
    void bootstrapKeyIsAcceptedByTheManagementValidationOnlyAndWithTheManagementScopeOnly() {
        String adminKey = new KeyCodec("ops_").generate();
        ApiKeyService withBootstrap = ApiKeyService.builder(backend)
                .bootstrapKeyHash(KeyHasher.unpeppered().hash(adminKey), Set.of("apiauth:admin")).build();
        ScopeRequirement management = ScopeRequirement.of(Match.ALL, "apiauth:admin");
        ValidationResult result = withBootstrap.validator().validateManagement(adminKey, management);
        assertTrue(result.isValid());
        assertEquals(ApiKeyService.BOOTSTRAP_OWNER, result.key().ownerId());
        assertEquals(Outcome.INSUFFICIENT_SCOPE,
                withBootstrap.validator().validateManagement(adminKey, ScopeRequirement.of(Match.ALL, "admin")).outcome());
        assertEquals(Outcome.UNKNOWN, withBootstrap.validator().validate(adminKey, ScopeRequirement.ANY_KEY).outcome(),
                "an application endpoint that lists no scope must not accept the bootstrap key");
        assertEquals(Outcome.UNKNOWN, withBootstrap.validator().validate(adminKey, management).outcome(),
                "not even one requiring the management scope: only the management API accepts it");
        assertEquals(Outcome.UNKNOWN, check(adminKey), "without the setting the key is unknown");
        withBootstrap.close();
    }

    @Test
    void aRevocationThatLandsWhileTheSuccessorIsIssuedWinsAndNoSuccessorSurvives() {
        MemoryBackend store = new MemoryBackend();
        java.util.concurrent.atomic.AtomicReference<Runnable> onCreate = new java.util.concurrent.atomic.AtomicReference<>();
        dev.apiauth.backend.Backend racing = new dev.apiauth.backend.ForwardingBackend(store) {
            @Override
            public ApiKey create(ApiKey key) {
                ApiKey created = delegate.create(key);
                Runnable between = onCreate.getAndSet(null);
                if (between != null) {
                    between.run(); // the revoke, forced between the successor's creation and the old key's update
                }
                return created;
            }
        };
        try (ApiKeyService keys = ApiKeyService.builder(racing).clock(clock).usageTracking(false, null).build()) {
            GeneratedKey old = keys.create(KeyRequest.of("n", "racer"));
            onCreate.set(() -> keys.revoke(old.record().id()));
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> keys.rotate(old.record().id(), java.time.Duration.ofHours(1)));
            assertTrue(e.getMessage().contains("revoked"), e.getMessage());
            java.util.List<ApiKey> left = keys.listByOwner("racer");
            assertEquals(1, left.size(), "the successor was withdrawn: " + left);
            assertTrue(left.get(0).isRevoked(), "the revocation stands");
        }
    }

    @Test
    void rotationRefusesAbsurdGracePeriodsBeforeIssuingAnything() {
        GeneratedKey old = service.create(KeyRequest.of("n", "grace"));
        assertMessage("gracePeriod: PT8784H1S is out of range", () -> service.rotate(old.record().id(), java.time.Duration.ofDays(366).plusSeconds(1)));
        assertMessage("gracePeriod: PT-1S is out of range", () -> service.rotate(old.record().id(), java.time.Duration.ofSeconds(-1)));
        assertEquals(1, service.listByOwner("grace").size(), "no successor issued");
        assertFalse(service.get(old.record().id()).orElseThrow().isRevoked());
    }

    @Test
    void oneKeyThatCannotBeFlushedDoesNotStopTheOthers() {
        MemoryBackend store = new MemoryBackend();
        java.util.Set<java.util.UUID> broken = java.util.concurrent.ConcurrentHashMap.newKeySet();
        dev.apiauth.backend.Backend failingOne = new dev.apiauth.backend.ForwardingBackend(store) {
            @Override
            public ApiKey update(ApiKey key) {
                if (broken.contains(key.id())) {
                    throw new dev.apiauth.backend.BackendException("this row is locked");
                }
                return delegate.update(key);
            }
        };
        try (ApiKeyService keys = ApiKeyService.builder(failingOne).clock(clock).usageTracking(true, null).build()) {
            java.util.List<GeneratedKey> issued = new java.util.ArrayList<>();
            for (int i = 0; i < 5; i++) {
                issued.add(keys.create(KeyRequest.of("n", "flush")));
            }
            broken.add(issued.get(0).record().id());
            issued.forEach(k -> assertTrue(keys.validator().validate(k.plaintext(), ScopeRequirement.ANY_KEY).isValid()));
            assertThrows(dev.apiauth.backend.BackendException.class, keys::flushUsage, "the failure is still reported");
            for (GeneratedKey k : issued.subList(1, 5)) {
                assertEquals(clock.instant(), keys.get(k.record().id()).orElseThrow().lastUsedAt(), "written despite the broken key");
            }
            assertNull(keys.get(issued.get(0).record().id()).orElseThrow().lastUsedAt());
            broken.clear();
            assertEquals(1, keys.flushUsage(), "the broken key's use was kept and is written once it can be");
        }
    }

    @Test
    void validationResultsOfFailuresAreShared() {
        assertSame(ValidationResult.MALFORMED, validator.validate("nope", ScopeRequirement.ANY_KEY));
        assertThrows(IllegalStateException.class, ValidationResult.MALFORMED::key);
    }

    @Test
    void scopeRequirementRefusesBlankScopes() {
        assertThrows(IllegalArgumentException.class, () -> ScopeRequirement.of(Match.ALL, ""));
        assertThrows(IllegalArgumentException.class, () -> ScopeRequirement.of(Match.ALL, "a b"));
        assertSame(ScopeRequirement.ANY_KEY, ScopeRequirement.of(Match.ANY));
    }
}
