package dev.apiauth.backend.jpa;

import dev.apiauth.backend.NearCacheSettings;
import dev.apiauth.internal.LocalCache;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.EntityTransaction;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The {@code jpa} near cache: a {@link LocalCache} kept current by the database's change table
 * ({@code apiauth_key_changes}), with no other infrastructure. Every write of {@link JpaBackend} inserts the key's
 * hash there in its own transaction, as its last statement; each node polls the table three times per staleness
 * bound and drops every hash it has not seen yet. A poll that completed confirms its <em>start</em> time: every
 * change committed before a statement starts is visible to it, so a node whose polls keep failing (database down,
 * table dropped) stops answering from memory within the bound and goes to the database (503 while that is down).
 *
 * <p>Sequence numbers are handed out at insert but become visible at commit, so a row can appear after a higher one
 * was read. A number missing below the highest one read is therefore a <em>gap</em>: it is looked for again at every
 * poll for {@value #GAP_SECONDS} s (a rolled-back insert leaves one for ever, a slow commit only for a moment). A
 * change is missed only if its transaction commits more than that after its row was inserted; {@link JpaBackend}'s
 * transactions insert the row last and commit at once. The same holds at start: the last {@value #START_WINDOW}
 * numbers are read as if new.
 *
 * <p>Rows older than an hour are deleted by the nodes (about once a minute each; a node that was away longer than
 * that has emptied its memory anyway).
 */
final class JpaChangeFeed implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(JpaChangeFeed.class.getName());
    static final String TABLE = "apiauth_key_changes";
    static final int GAP_SECONDS = 30;
    static final long GAP_NANOS = TimeUnit.SECONDS.toNanos(GAP_SECONDS);
    /** Numbers read at start as if new: a change whose commit is that far behind the newest one is still caught. */
    static final int START_WINDOW = 1_000;
    /** A jump in the numbers wider than this (a sequence reset or cache skip) is not tracked number by number. */
    static final int MAX_GAP = 10_000;
    static final int BATCH = 5_000;
    static final Duration RETENTION = Duration.ofHours(1);
    static final long PRUNE_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);

    private static final String INSERT = "INSERT INTO " + TABLE + " (key_hash, changed_at) VALUES (?1, ?2)";
    private static final String READ = "SELECT seq, key_hash FROM " + TABLE + " WHERE seq > ?1 ORDER BY seq";
    private static final String NEWEST = "SELECT MAX(seq) FROM " + TABLE;
    private static final String PRUNE = "DELETE FROM " + TABLE + " WHERE changed_at < ?1";

    private final Supplier<EntityManagerFactory> emf;
    private final LocalCache memory;
    private final LongSupplier ticker;
    private final Clock clock;
    private final ScheduledExecutorService poller;

    // the poll's state, guarded by this
    /** Every number up to here was read or given up; -1 before the first poll. */
    private long watermark = -1;
    /** The highest number read. */
    private long highest;
    /** Numbers missing below {@link #highest}, with the time (ticker) they were first missed. */
    private final TreeMap<Long, Long> gaps = new TreeMap<>();
    private long lastPrune;
    private boolean failing;
    private long polls;
    private volatile boolean closed;

    /**
     * @param emf            the backend's persistence unit (built on first use; a failure is a failed poll)
     * @param settings       the near cache's bounds
     * @param ticker         nanoseconds for entries and confirmations ({@link System#nanoTime} in production)
     * @param schedulePolls  false in tests, which call {@link #poll()} themselves
     */
    JpaChangeFeed(Supplier<EntityManagerFactory> emf, NearCacheSettings settings, LongSupplier ticker, Clock clock,
                  boolean schedulePolls) {
        this.emf = emf;
        this.ticker = ticker;
        this.clock = clock;
        this.memory = new LocalCache(settings.ttl(), settings.maxSize(), settings.maxStaleness(), ticker);
        this.lastPrune = ticker.getAsLong() - PRUNE_EVERY_NANOS; // prune at the first poll
        if (schedulePolls) {
            ClassLoader library = JpaChangeFeed.class.getClassLoader();
            poller = Executors.newSingleThreadScheduledExecutor(task -> {
                Thread thread = new Thread(task, "apiauth-jpa-change-feed");
                thread.setDaemon(true);
                thread.setContextClassLoader(library); // the JPA provider may load through it; shut down at undeploy
                return thread;
            });
            long everyMillis = Math.max(1, settings.maxStaleness().toMillis() / 3);
            poller.scheduleWithFixedDelay(this::pollQuietly, 0, everyMillis, TimeUnit.MILLISECONDS);
        } else {
            poller = null;
        }
    }

    LocalCache memory() {
        return memory;
    }

    /**
     * Records that the key {@code keyHash} changed, inside the caller's transaction (its last statement, so the
     * number it takes is close to its commit).
     */
    static void record(EntityManager em, String keyHash, Clock clock) {
        em.createNativeQuery(INSERT).setParameter(1, keyHash).setParameter(2, timestamp(clock.instant().toEpochMilli()))
                .executeUpdate();
    }

    private static Timestamp timestamp(long epochMillis) {
        return Timestamp.valueOf(LocalDateTime.ofEpochSecond(Math.floorDiv(epochMillis, 1000), 0, ZoneOffset.UTC)
                .withNano((int) Math.floorMod(epochMillis, 1000) * 1_000_000));
    }

    private void pollQuietly() {
        try {
            poll();
        } catch (RuntimeException e) {
            if (closed) {
                return; // the application is stopping: its persistence unit may be closed under the poll
            }
            synchronized (this) {
                if (!failing) {
                    failing = true;
                    LOG.log(Level.WARNING, "cannot read the API key change feed (" + TABLE + "); the near cache does not answer"
                            + " until it can (lookups go to the database): " + e, e);
                }
            }
        }
    }

    /** One poll: drops every changed key not seen yet, then confirms the poll's start; throws when the table cannot be read. */
    synchronized void poll() {
        long started = ticker.getAsLong();
        EntityManager em = emf.get().createEntityManager();
        try {
            if (watermark < 0) {
                Number newest = (Number) em.createNativeQuery(NEWEST).getSingleResult();
                watermark = Math.max(0, (newest == null ? 0 : newest.longValue()) - START_WINDOW);
                highest = watermark;
            }
            long after = watermark;
            List<?> rows;
            do {
                rows = em.createNativeQuery(READ).setParameter(1, after).setMaxResults(BATCH).getResultList();
                for (Object row : rows) {
                    Object[] columns = (Object[]) row;
                    after = ((Number) columns[0]).longValue();
                    apply(after, (String) columns[1], started);
                }
            } while (rows.size() == BATCH);
            gaps.values().removeIf(since -> started - since >= GAP_NANOS); // read once more above, then given up
            watermark = gaps.isEmpty() ? highest : gaps.firstKey() - 1;
            memory.confirm(started);
            polls++;
            if (failing) {
                failing = false;
                LOG.info("the API key change feed (" + TABLE + ") is read again; the near cache answers again");
            }
            if (started - lastPrune >= PRUNE_EVERY_NANOS) { // after the confirmation: a slow delete delays no answer
                lastPrune = started;
                prune(em);
            }
        } finally {
            em.close();
        }
    }

    private void apply(long seq, String keyHash, long now) {
        if (seq > highest) {
            long missing = seq - highest - 1;
            if (missing > 0 && missing <= MAX_GAP) {
                for (long s = highest + 1; s < seq; s++) {
                    gaps.put(s, now);
                }
            }
            highest = seq;
            memory.invalidate(keyHash);
        } else if (gaps.remove(seq) != null) {
            memory.invalidate(keyHash); // committed after a higher number was read
        }
    }

    private void prune(EntityManager em) {
        EntityTransaction tx = em.getTransaction();
        try {
            tx.begin();
            em.createNativeQuery(PRUNE).setHint("jakarta.persistence.query.timeout", 2_000).setParameter(1, timestamp(clock.instant().minus(RETENTION).toEpochMilli())).executeUpdate();
            tx.commit();
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "could not delete old rows of " + TABLE + "; tried again in a minute", e);
        } finally {
            if (tx.isActive()) {
                try {
                    tx.rollback();
                } catch (RuntimeException ignored) {
                    // the connection is gone
                }
            }
        }
    }

    /** Polls completed (tests and diagnostics). */
    synchronized long polls() {
        return polls;
    }

    /** Numbers currently missed (tests). */
    synchronized Map<Long, Long> gaps() {
        return Map.copyOf(gaps);
    }

    /** Stops polling, and waits (a few seconds at most) for a poll in progress, before the backend closes its unit. */
    @Override
    public void close() {
        closed = true;
        if (poller != null) {
            poller.shutdownNow();
            try {
                poller.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        memory.unconfirm();
    }
}
