package dev.apiauth.backend.jpa;

import dev.apiauth.ApiKey;
import dev.apiauth.backend.Backend;
import dev.apiauth.backend.BackendException;
import dev.apiauth.backend.ConcurrentUpdateException;
import dev.apiauth.backend.DuplicateKeyException;
import dev.apiauth.backend.NearCacheSettings;
import dev.apiauth.backend.UnknownKeyException;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.EntityTransaction;
import jakarta.persistence.OptimisticLockException;
import jakarta.persistence.PersistenceException;
import java.sql.SQLException;
import java.time.Clock;
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
 *
 * <p>Each write also records the key's hash in the change table {@code apiauth_key_changes}, in the same transaction,
 * when that table exists (the DDL scripts create it): nodes with a near cache ({@code apiauth.cache.local=true}, see
 * {@link JpaChangeFeed}) follow it to drop what changed from their memory.
 */
public final class JpaBackend implements Backend, AutoCloseable {

    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(JpaBackend.class.getName());

    private final Supplier<EntityManagerFactory> factory;
    private volatile EntityManagerFactory emf;
    /** False for a factory the caller handed in: a failed check must not close it. */
    private boolean ownsFactory = true;
    /** Whether the change table exists, so writes record their key there; checked when the unit is built. */
    private volatile boolean recordChanges;
    private final NearCacheSettings nearSettings;
    /** The near cache and the poller that keeps it current; null without a near cache. */
    private final JpaChangeFeed near;
    private final Clock clock = Clock.systemUTC();
    private volatile dev.apiauth.ApiAuthMetrics metrics = dev.apiauth.ApiAuthMetrics.NONE;

    public JpaBackend(EntityManagerFactory emf) {
        this(() -> emf, NearCacheSettings.OFF);
        ownsFactory = false;
        emf();
    }

    /**
     * A backend that builds its persistence unit on first use (or {@link #start()}): on an application server,
     * datasources the application itself defines are bound only after CDI has started. A failed start is
     * retried at the next use; meanwhile every call fails with {@link BackendException}.
     */
    JpaBackend(Supplier<EntityManagerFactory> factory) {
        this(factory, NearCacheSettings.OFF);
    }

    /**
     * With a near cache when {@code near} is enabled: lookups are answered from this JVM's memory while the change
     * feed is read within the staleness bound (see {@link JpaChangeFeed}), else from the database.
     */
    JpaBackend(Supplier<EntityManagerFactory> factory, NearCacheSettings near) {
        this(factory, near, System::nanoTime, true);
    }

    /** Tests: the near cache's ticker, and whether its polls are scheduled or called by the test. */
    JpaBackend(Supplier<EntityManagerFactory> factory, NearCacheSettings near, java.util.function.LongSupplier ticker,
               boolean schedulePolls) {
        this.factory = factory;
        this.nearSettings = near;
        // the feed polls only once the unit is built here (a poller thread has no naming context to look up a datasource)
        this.near = near.enabled() ? new JpaChangeFeed(() -> emf, near, ticker, clock, schedulePolls) : null;
    }

    /** The near cache's feed, or null (tests). */
    JpaChangeFeed nearCache() {
        return near;
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
        if (near == null) {
            return read(repo -> repo.getByHash(keyHash));
        }
        Optional<ApiKey> local = near.memory().get(keyHash);
        metrics.cache(NEAR, local != null);
        if (local != null) {
            return local;
        }
        long generation = near.memory().generation(); // before the read: a change read by a poll meanwhile keeps its answer out
        Optional<ApiKey> found = read(repo -> repo.getByHash(keyHash));
        near.memory().put(keyHash, found, found.isPresent() ? nearSettings.ttl() : nearSettings.negativeTtl(), generation);
        return found;
    }

    static final String NEAR = "near";

    /** Near-cache hits and misses go to {@code metrics}. */
    @Override
    public void observe(dev.apiauth.ApiAuthMetrics metrics) {
        this.metrics = metrics;
    }

    /** Asks the database itself (never the near cache), as a validation that misses the near cache would. */
    @Override
    public Map<String, String> probe() {
        read(repo -> repo.getByHash(PROBE_HASH));
        if (near == null) {
            return Map.of();
        }
        return Map.of("nearCache", near.memory().isLive() ? "live" : "not answering (change feed not read within the bound)");
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
        return write(key.keyHash(), repo -> repo.create(key), created -> key.keyHash());
    }

    /**
     * Updates the record; the change feed gets the key unless only {@code lastUsedAt} changed (a usage write changes
     * nothing a validation checks, and recording it would drop every key in use from every node's memory at each
     * usage flush).
     */
    @Override
    public ApiKey update(ApiKey key) {
        boolean[] usageOnly = {false};
        return write(key.keyHash(), repo -> {
            usageOnly[0] = repo.getById(key.id()).map(stored -> onlyUsageDiffers(stored, key)).orElse(false);
            return repo.update(key);
        }, updated -> usageOnly[0] ? null : key.keyHash());
    }

    /** Whether {@code next} differs from {@code stored} in {@code lastUsedAt} (and the version) alone. */
    static boolean onlyUsageDiffers(ApiKey stored, ApiKey next) {
        return stored.withLastUsedAt(next.lastUsedAt()).withVersion(next.version()).equals(next);
    }

    @Override
    public void delete(UUID id) {
        try {
            write(null, repo -> repo.deleteReturningHash(id), hash -> hash);
        } catch (ConcurrentUpdateException alreadyChangedOrGone) {
            if (read(repo -> repo.getById(id)).isPresent()) {
                delete(id);
            }
        }
    }

    @Override
    public void close() {
        if (near != null) {
            near.close();
        }
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
                    try {
                        recordChanges = hasChangeTable(built);
                    } catch (RuntimeException e) {
                        if (ownsFactory) {
                            built.close(); // built again at the next use
                        }
                        throw e;
                    }
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

    /**
     * Whether {@code apiauth_key_changes} can be written (an earlier release's schema has no such table). Only the
     * database's own "no such table" means no (SQLState 42P01 on PostgreSQL, 42S02 on MySQL, MariaDB and H2): any other
     * failure (the database unreachable, no permission) is thrown, so the unit is built again later rather than every
     * write skipping the feed for good.
     */
    private static boolean hasChangeTable(EntityManagerFactory emf) {
        EntityManager em = emf.createEntityManager();
        try {
            em.createNativeQuery("SELECT seq FROM " + JpaChangeFeed.TABLE + " WHERE 1 = 0").getResultList();
            return true;
        } catch (RuntimeException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof SQLException sql && ("42P01".equals(sql.getSQLState()) || "42S02".equals(sql.getSQLState()))) {
                    LOG.warning("table " + JpaChangeFeed.TABLE + " is missing: writes of this node are not recorded there, so"
                            + " nodes with apiauth.cache.local=true see them only when their entries expire; apply"
                            + " META-INF/apiauth/ddl/<database>.sql again (every statement is IF NOT EXISTS)");
                    return false;
                }
            }
            throw new BackendException("API key store unavailable (cannot read " + JpaChangeFeed.TABLE + "): " + e.getMessage(), e);
        } finally {
            em.close();
        }
    }

    /**
     * One transaction: {@code work}, then the change row of the key {@code changed} finds in the result (none when
     * null). The writer's own near cache drops the key afterwards ({@code keyHash}, or the recorded one) whatever
     * happened (everything, when a failed write's key is unknown).
     */
    private <T> T write(String keyHash, Function<ApiKeyRepository, T> work, Function<T, String> changed) {
        EntityManager em = open();
        EntityTransaction tx = em.getTransaction();
        String touched = keyHash;
        boolean failed = true;
        try {
            tx.begin();
            T result = work.apply(new ApiKeyRepository(em));
            String record = changed.apply(result);
            if (record != null) {
                touched = record;
                if (recordChanges) {
                    JpaChangeFeed.record(em, record, clock);
                }
            }
            tx.commit();
            failed = false;
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
            if (near != null) {
                if (touched != null) {
                    near.memory().invalidate(touched);
                } else if (failed) {
                    near.memory().clear(); // which key a failed delete touched is unknown here
                }
            }
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
