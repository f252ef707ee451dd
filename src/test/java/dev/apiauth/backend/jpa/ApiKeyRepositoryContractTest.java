package dev.apiauth.backend.jpa;

import dev.apiauth.ApiKey;
import dev.apiauth.backend.Backend;
import dev.apiauth.backend.BackendContract;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * {@link ApiKeyRepository}, the backend for applications' own persistence units, runs the same contract as every
 * shipped backend: each call in a transaction and an EntityManager of its own, as an application's request would.
 */
class ApiKeyRepositoryContractTest extends BackendContract {

    private static EntityManagerFactory emf;

    @BeforeAll
    static void open() {
        DataSource ds = TestDatabases.h2(TestDatabases.uniqueName("repo_contract"));
        JpaSchema.create(ds);
        emf = ApiAuthPersistenceUnit.createEntityManagerFactory(ds, Map.of());
    }

    @AfterAll
    static void close() {
        emf.close();
    }

    @Override
    protected Backend newBackend() {
        return new TransactionPerCall(emf);
    }

    /** What an application's transactional service around the repository does, one transaction per call. */
    static final class TransactionPerCall implements Backend {
        private final EntityManagerFactory emf;

        TransactionPerCall(EntityManagerFactory emf) {
            this.emf = emf;
        }

        private <T> T inTransaction(Function<ApiKeyRepository, T> work) {
            EntityManager em = emf.createEntityManager();
            try {
                em.getTransaction().begin();
                T result = work.apply(new ApiKeyRepository(em));
                em.getTransaction().commit();
                return result;
            } finally {
                if (em.getTransaction().isActive()) {
                    em.getTransaction().rollback();
                }
                em.close();
            }
        }

        @Override
        public Optional<ApiKey> getByHash(String keyHash) {
            return inTransaction(r -> r.getByHash(keyHash));
        }

        @Override
        public Optional<ApiKey> getById(UUID id) {
            return inTransaction(r -> r.getById(id));
        }

        @Override
        public ApiKey create(ApiKey key) {
            return inTransaction(r -> r.create(key));
        }

        @Override
        public ApiKey update(ApiKey key) {
            return inTransaction(r -> r.update(key));
        }

        @Override
        public void delete(UUID id) {
            inTransaction(r -> {
                r.delete(id);
                return null;
            });
        }

        @Override
        public List<ApiKey> listByOwner(String ownerId) {
            return inTransaction(r -> r.listByOwner(ownerId));
        }
    }
}
