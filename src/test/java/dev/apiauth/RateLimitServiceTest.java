package dev.apiauth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiauth.backend.UnknownKeyException;
import dev.apiauth.backend.memory.MemoryBackend;
import dev.apiauth.internal.KeyCodec;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Which limit applies to a key, and that every way of changing a key keeps or changes it as documented. */
class RateLimitServiceTest {

    private static final RateLimit HUNDRED = RateLimit.of(100, Duration.ofMinutes(1));
    private static final RateLimit TWO = RateLimit.of(2, Duration.ofHours(1));

    @Test
    void aKeysOwnLimitWinsOverTheDefaultAndWithNeitherNothingIsCounted() {
        ApiKeyService plain = ApiKeyService.builder(new MemoryBackend()).usageTracking(false, null).build();
        ApiKey unlimited = plain.create(KeyRequest.of("a", "o")).record();
        assertNull(plain.rateLimitOf(unlimited));
        assertNull(plain.acquire(unlimited), "no limit, no counting");

        ApiKeyService limited = ApiKeyService.builder(new MemoryBackend()).usageTracking(false, null).defaultRateLimit(HUNDRED).build();
        ApiKey byDefault = limited.create(KeyRequest.of("a", "o")).record();
        ApiKey own = limited.create(KeyRequest.of("b", "o").withRateLimit(TWO)).record();
        assertEquals(HUNDRED, limited.rateLimitOf(byDefault));
        assertEquals(TWO, limited.rateLimitOf(own));
        assertTrue(limited.acquire(own).allowed());
        assertTrue(limited.acquire(own).allowed());
        assertFalse(limited.acquire(own).allowed());
        assertTrue(limited.acquire(byDefault).allowed(), "keys do not share buckets");
    }

    @Test
    void theBootstrapKeyIsNeverLimitedSoAnOperatorCannotBeLockedOut() {
        String bootstrap = new KeyCodec("ak_").generate();
        ApiKeyService service = ApiKeyService.builder(new MemoryBackend()).usageTracking(false, null).defaultRateLimit(TWO)
                .bootstrapKeyHash(new dev.apiauth.internal.KeyHasher(null).hash(bootstrap), Set.of("apiauth:admin")).build();
        ApiKey record = service.validator().validateManagement(bootstrap, ScopeRequirement.ANY_KEY).key();
        assertNull(service.rateLimitOf(record));
        for (int i = 0; i < 10; i++) {
            assertNull(service.acquire(record));
        }
    }

    @Test
    void aLimitIsSetChangedRemovedAndInheritedByRotation() {
        ApiKeyService service = ApiKeyService.builder(new MemoryBackend()).usageTracking(false, null).build();
        GeneratedKey key = service.create(KeyRequest.of("a", "o").withRateLimit(TWO));
        assertEquals(TWO, service.get(key.record().id()).orElseThrow().rateLimit());
        ApiKey changed = service.setRateLimit(key.record().id(), HUNDRED);
        assertEquals(HUNDRED, changed.rateLimit());
        assertEquals(HUNDRED, service.validator().validate(key.plaintext(), ScopeRequirement.ANY_KEY).key().rateLimit(),
                "the next validation sees the new limit");
        ApiKey same = service.setRateLimit(key.record().id(), HUNDRED);
        assertSame(changed.version(), same.version(), "setting the same limit writes nothing");
        GeneratedKey successor = service.rotate(key.record().id(), Duration.ofMinutes(5));
        assertEquals(HUNDRED, successor.record().rateLimit(), "a rotation keeps the limit");
        assertNull(service.setRateLimit(key.record().id(), null).rateLimit());
        assertThrows(UnknownKeyException.class, () -> service.setRateLimit(UUID.randomUUID(), TWO));
    }

    @Test
    void adminKeysGetNoDefaultButKeepTheirOwnLimit() {
        ApiKeyService service = ApiKeyService.builder(new MemoryBackend()).usageTracking(false, null).defaultRateLimit(TWO).build();
        ApiKey admin = service.create(KeyRequest.of("ops", "o", ApiAuthConfig.DEFAULT_MANAGEMENT_SCOPE)).record();
        assertNull(service.rateLimitOf(admin), "the default is for clients");
        ApiKey limitedAdmin = service.setRateLimit(admin.id(), HUNDRED);
        assertEquals(HUNDRED, service.rateLimitOf(limitedAdmin));
    }

    @Test
    void aLimiterThatThrowsLetsTheRequestThroughInsteadOfFailingIt() {
        ApiKeyService service = ApiKeyService.builder(new MemoryBackend()).usageTracking(false, null).defaultRateLimit(TWO)
                .rateLimiter((id, limit) -> {
                    throw new IllegalStateException("broken limiter");
                }).build();
        ApiKey key = service.create(KeyRequest.of("a", "o")).record();
        assertNull(service.acquire(key));
        assertNull(service.acquire(key));
    }

    @Test
    void aStoredLimitThisReleaseCannotReadFallsBackToTheDefaultInsteadOfFailingTheKey() {
        ApiKey key = new ApiKey(UUID.randomUUID(), "n", "o", "a".repeat(64), "ak_Ab12", Set.of(), java.time.Instant.EPOCH, null,
                null, null, java.util.Map.of(), TWO, 0);
        String encoded = dev.apiauth.internal.RecordCodec.encode(key);
        assertEquals(TWO, dev.apiauth.internal.RecordCodec.decode(encoded).rateLimit());
        assertNull(dev.apiauth.internal.RecordCodec.decode(encoded.replace("limit=2%2FPT1H", "limit=0%2FPT1H")).rateLimit());
        assertNull(dev.apiauth.internal.RecordCodec.decode(encoded.replace("limit=2%2FPT1H", "limit=2%2FP9D")).rateLimit());
        assertNull(dev.apiauth.internal.RecordCodec.rateLimit(5, null), "one column without the other is no limit");
        assertEquals(TWO, dev.apiauth.internal.RecordCodec.rateLimit(2, 3600L));
    }
}
