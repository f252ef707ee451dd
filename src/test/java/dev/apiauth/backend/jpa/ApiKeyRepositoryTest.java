package dev.apiauth.backend.jpa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiauth.ApiKey;
import dev.apiauth.ApiKeyService;
import dev.apiauth.GeneratedKey;
import dev.apiauth.KeyRequest;
import dev.apiauth.ScopeRequirement;
import dev.apiauth.backend.DuplicateKeyException;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import dev.apiauth.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.Map;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The repository on an application's own EntityManager, inside the application's transaction: keys created
 * by {@link ApiKeyService} commit or roll back with it, and pages come newest first.
 */
class ApiKeyRepositoryTest {

    private EntityManagerFactory emf;
    private EntityManager em;

    @BeforeEach
    void open() {
        DataSource ds = TestDatabases.h2(TestDatabases.uniqueName("repo"));
        JpaSchema.create(ds);
        emf = ApiAuthPersistenceUnit.createEntityManagerFactory(ds, Map.of());
        em = emf.createEntityManager();
    }

    @AfterEach
    void close() {
        em.close();
        emf.close();
    }

    private <T> T inTransaction(Supplier<T> work) {
        em.getTransaction().begin();
        try {
            T result = work.get();
            em.getTransaction().commit();
            return result;
        } finally {
            if (em.getTransaction().isActive()) {
                em.getTransaction().rollback();
            }
        }
    }

    @Test
    void serviceOnTheApplicationsEntityManagerCommitsWithItsTransaction() {
        ApiKeyRepository repository = new ApiKeyRepository(em);
        ApiKeyService service = ApiKeyService.builder(repository).usageTracking(false, null).build();
        GeneratedKey key = inTransaction(() -> service.create(KeyRequest.of("app", "tenant", "read")));
        assertTrue(service.validator().validate(key.plaintext(), ScopeRequirement.ANY_KEY).isValid());

        em.getTransaction().begin();
        GeneratedKey rolledBack = service.create(KeyRequest.of("never", "tenant"));
        em.getTransaction().rollback();
        em.clear();
        assertTrue(repository.getById(rolledBack.record().id()).isEmpty(), "a rolled-back transaction leaves no key");
    }

    @Test
    void pagesAreNewestFirstAndCounted() {
        ApiKeyRepository repository = new ApiKeyRepository(em);
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        ApiKeyService service = ApiKeyService.builder(repository).usageTracking(false, null).clock(clock).build();
        List<UUID> newestFirst = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            clock.advance(Duration.ofSeconds(1));
            newestFirst.add(0, inTransaction(() -> service.create(KeyRequest.of("k", "paged"))).record().id());
        }
        assertEquals(5, repository.countByOwner("paged"));
        assertEquals(newestFirst.subList(1, 3), repository.listByOwner("paged", 1, 2).stream().map(ApiKey::id).toList());
        assertEquals(newestFirst, repository.listByOwner("paged").stream().map(ApiKey::id).toList());
    }

    @Test
    void duplicateHashIsADuplicateKeyException() {
        ApiKeyRepository repository = new ApiKeyRepository(em);
        ApiKey first = inTransaction(() -> repository.create(new ApiKey(UUID.randomUUID(), "a", "o",
                "a".repeat(64), "ak_aaaa", Set.of(), Instant.now(), null, null, null, Map.of(), 0)));
        em.getTransaction().begin();
        assertThrows(DuplicateKeyException.class, () -> repository.create(new ApiKey(UUID.randomUUID(), "b", "o",
                first.keyHash(), "ak_aaaa", Set.of(), Instant.now(), null, null, null, Map.of(), 0)));
        em.getTransaction().rollback();
    }
}
