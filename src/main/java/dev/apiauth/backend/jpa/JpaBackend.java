package dev.apiauth.backend.jpa;

import dev.apiauth.ApiKey;
import dev.apiauth.backend.Backend;
import dev.apiauth.backend.BackendException;
import dev.apiauth.backend.ConcurrentUpdateException;
import dev.apiauth.backend.DuplicateKeyException;
import dev.apiauth.backend.UnknownKeyException;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.EntityTransaction;
import jakarta.persistence.OptimisticLockException;
import jakarta.persistence.PersistenceException;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * Keys in a relational database through JPA: {@code apiauth.backend=jpa}. Runs on a persistence unit of its
 * own, built at startup over a {@link DataSource} (on an application server, the one named by
 * {@code apiauth.jpa.datasource}, else the server's default), so an application that does not select it pays
 * nothing. Each write is a short transaction of its own: a revocation commits at once, whatever the caller's
 * transaction does. To keep keys inside your own persistence unit and transactions, use
 * {@link ApiKeyRepository} instead.
 *
 * <pre>{@code
 * JpaBackend keys = JpaBackend.create(dataSource);   // e.g. a PGSimpleDataSource
 * JpaSchema.create(dataSource);                       // or apply META-INF/apiauth/ddl/<database>.sql yourself
 * }</pre>
 */
public final class JpaBackend implements Backend, AutoCloseable {

    private final Supplier<EntityManagerFactory> factory;
    private volatile EntityManagerFactory emf;

    public JpaBackend(EntityManagerFactory emf) {
        this.emf = emf;
        this.factory = () -> emf;
    }

    /**
     * A backend that builds its persistence unit on first use (or {@link #start()}): on an application server,
     * datasources the application itself defines are bound only after CDI has started. A failed start is
     * retried at the next use; meanwhile every call fails with {@link BackendException}.
     */
    JpaBackend(Supplier<EntityManagerFactory> factory) {
        this.factory = factory;
    }

    /** Builds the persistence unit now if it is not built yet. */
    void start() {
        emf();
    }

    /** A backend on its own persistence unit over {@code dataSource}; {@code properties} go to the JPA provider. */
    public static JpaBackend create(DataSource dataSource, Map<String, ?> properties) {
        return new JpaBackend(ApiAuthPersistenceUnit.createEntityManagerFactory(dataSource, properties));
    }

    public static JpaBackend create(DataSource dataSource) {
        return create(dataSource, Map.of());
    }

    /**
     * Outside an application server, where a {@link DataSource} is rarely pooled: a backend that connects with
     * the JPA provider's own connection pool, from {@code jakarta.persistence.jdbc.url}, {@code .user},
     * {@code .password} (and {@code .driver}) in {@code properties}.
     */
    public static JpaBackend createPooled(Map<String, ?> properties) {
        if (!properties.containsKey("jakarta.persistence.jdbc.url")) {
            throw new IllegalArgumentException("jakarta.persistence.jdbc.url is required");
        }
        return create(null, properties);
    }

    @Override
    public Optional<ApiKey> getByHash(String keyHash) {
        return read(repo -> repo.getByHash(keyHash));
    }

    @Override
    public Optional<ApiKey> getById(UUID id) {
        return read(repo -> repo.getById(id));
    }

    @Override
    public List<ApiKey> listByOwner(String ownerId) {
        return read(repo -> repo.listByOwner(ownerId));
    }

    @Override
    public ApiKey create(ApiKey key) {
        return write(repo -> repo.create(key));
    }

    @Override
    public ApiKey update(ApiKey key) {
        return write(repo -> repo.update(key));
    }

    @Override
    public void delete(UUID id) {
        try {
            write(repo -> {
                repo.delete(id);
                return null;
            });
        } catch (ConcurrentUpdateException alreadyChangedOrGone) {
            if (read(repo -> repo.getById(id)).isPresent()) {
                delete(id);
            }
        }
    }

    @Override
    public void close() {
        EntityManagerFactory built = emf;
        if (built != null && built.isOpen()) {
            built.close();
        }
    }

    private EntityManagerFactory emf() {
        EntityManagerFactory built = emf;
        if (built == null) {
            synchronized (this) {
                built = emf;
                if (built == null) {
                    built = factory.get();
                    emf = built;
                }
            }
        }
        return built;
    }

    private <T> T read(Function<ApiKeyRepository, T> work) {
        EntityManager em = open();
        try {
            return work.apply(new ApiKeyRepository(em));
        } catch (PersistenceException e) {
            throw new BackendException("API key store query failed: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            // EclipseLink throws its DatabaseException unwrapped from em.find when the connection is gone (seen in the
            // outage suite): a store failure all the same, so a BackendException, as the Backend contract says
            throw isStoreFailure(e) ? new BackendException("API key store query failed: " + e.getMessage(), e) : e;
        } finally {
            em.close();
        }
    }

    /**
     * A failure of the store itself: an SQLException somewhere in the cause chain, or one of EclipseLink's own
     * exceptions. Programming errors and the contract's exceptions pass unchanged.
     */
    private static boolean isStoreFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLException || t.getClass().getName().startsWith("org.eclipse.persistence.exceptions.")) {
                return true;
            }
        }
        return false;
    }

    private <T> T write(Function<ApiKeyRepository, T> work) {
        EntityManager em = open();
        EntityTransaction tx = em.getTransaction();
        try {
            tx.begin();
            T result = work.apply(new ApiKeyRepository(em));
            tx.commit();
            return result;
        } catch (UnknownKeyException | ConcurrentUpdateException | DuplicateKeyException | IllegalArgumentException e) {
            throw e;
        } catch (OptimisticLockException e) {
            throw new ConcurrentUpdateException("an API key was updated concurrently; read it again");
        } catch (PersistenceException e) {
            if (e.getCause() instanceof OptimisticLockException) {
                throw new ConcurrentUpdateException("an API key was updated concurrently; read it again");
            }
            if (isConstraintViolation(e)) {
                throw new DuplicateKeyException("an API key with the same id or hash already exists");
            }
            throw new BackendException("API key store update failed: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            if (!isStoreFailure(e)) {
                throw e;
            }
            if (isConstraintViolation(e)) {
                throw new DuplicateKeyException("an API key with the same id or hash already exists");
            }
            throw new BackendException("API key store update failed: " + e.getMessage(), e);
        } finally {
            try {
                if (tx.isActive()) {
                    tx.rollback();
                }
            } catch (RuntimeException ignored) {
                // the connection is gone; nothing was committed
            }
            em.close();
        }
    }

    private EntityManager open() {
        try {
            return emf().createEntityManager();
        } catch (BackendException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new BackendException("API key store unavailable: " + e.getMessage(), e);
        }
    }

    /** SQLState class 23 (integrity constraint violation) anywhere in the cause chain. */
    static boolean isConstraintViolation(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql) {
                for (SQLException s = sql; s != null; s = s.getNextException()) {
                    if (s.getSQLState() != null && s.getSQLState().startsWith("23")) {
                        return true;
                    }
                }
            }
        }
        return false;
    }
}
