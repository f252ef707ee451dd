package dev.apiauth.backend.jpa;

import dev.apiauth.backend.NearCacheSettings;
import dev.apiauth.internal.LocalCache;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.EntityTransaction;
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
 * was read. A number missing below the highest one read is therefore a <em>gap</em>: everything above the lowest gap
 * is read again at every poll for {@value #GAP_SECONDS} s (a slow commit fills its gap within moments); after that
 * the number is <em>given up</em> and only looked up by number at every poll, for the whole retention (a rolled-back
 * insert leaves a number that never appears; a commit delayed for minutes still counts when it lands). At start the
 * last {@value #START_WINDOW} numbers are read as if new. A newest number below the highest one read, or the row
 * at the highest one read gone or holding another key (the sequence was reset: a restored database, a re-created
 * table, MySQL 5.7 restarting an empty table's counter, also after it caught up) empties the memory and starts the
 * feed again.
 *
 * <p>Each poll is one short transaction (so a connection router keeps it on the primary, and its snapshot starts
 * after the poll did), with a query timeout. Rows older than {@value #RETENTION_HOURS} h are deleted by the nodes
 * (about once a minute each). {@code changed_at} is the writer's clock and the cutoff the pruning node's, so a day
 * leaves room for any skew between them; a node that was away longer has emptied its memory anyway.
 */
final class JpaChangeFeed implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(JpaChangeFeed.class.getName());
    static final String TABLE = "apiauth_key_changes";
    static final int GAP_SECONDS = 30;
    static final long GAP_NANOS = TimeUnit.SECONDS.toNanos(GAP_SECONDS);
    /** Given-up numbers still looked up (the oldest are dropped beyond this; each costs a place in one IN list). */
    static final int MAX_GIVEN_UP = 1_000;
    /** Numbers read at start as if new: a change whose commit is that far behind the newest one is still caught. */
    static final int START_WINDOW = 1_000;
    /** A jump in the numbers wider than this (a sequence reset or cache skip) is not tracked number by number. */
    static final int MAX_GAP = 10_000;
    static final int BATCH = 5_000;
    static final int RETENTION_HOURS = 24;
    static final Duration RETENTION = Duration.ofHours(RETENTION_HOURS);
    static final long RETENTION_NANOS = RETENTION.toNanos();
    static final long PRUNE_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);

    private static final String INSERT = "INSERT INTO " + TABLE + " (key_hash, changed_at) VALUES (?1, ?2)";
    private static final String READ = "SELECT seq, key_hash FROM " + TABLE + " WHERE seq > ?1 ORDER BY seq";
    private static final String NEWEST = "SELECT MAX(seq) FROM " + TABLE;
    private static final String AT = "SELECT key_hash FROM " + TABLE + " WHERE seq = ?1";
    private static final String TIMEOUT_HINT = "jakarta.persistence.query.timeout";
    private static final String PRUNE = "DELETE FROM " + TABLE + " WHERE changed_at < ?1";

    private final Supplier<EntityManagerFactory> emf;
    private final LocalCache memory;
    private final LongSupplier ticker;
    private final Clock clock;
    private final ScheduledExecutorService poller;

    // the poll's state, guarded by this
    /** Every number up to here was read or given up; -1 before the first poll. */
    private long watermark = -1;
    /** The highest number read, and the key of its row (null before a row was read). */
    private long highest;
    private String highestHash;
    /** Numbers missing below {@link #highest}, with the time (ticker) they were first missed. */
    private final TreeMap<Long, Long> gaps = new TreeMap<>();
    /** Gaps older than {@link #GAP_NANOS}, below the watermark, looked up by number until the retention has passed. */
    private final TreeMap<Long, Long> givenUp = new TreeMap<>();
    private final int queryTimeoutMillis;
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
        // a poll that hangs must not hold the only poller thread: a few bounds, at least two seconds
        this.queryTimeoutMillis = (int) Math.max(2_000, 3 * settings.maxStaleness().toMillis());
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
        em.createNativeQuery(INSERT).setParameter(1, keyHash).setParameter(2, utc(clock)).executeUpdate();
    }

    /**
     * UTC wall-clock time as a {@link LocalDateTime}, as {@link InstantConverter} stores every timestamp: bound as
     * such, never through {@code java.sql.Timestamp} (whose conversion through the JVM's time zone shifts or
     * collapses times around a daylight-saving change).
     */
    private static LocalDateTime utc(Clock clock) {
        return LocalDateTime.ofInstant(clock.instant(), ZoneOffset.UTC).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    }

    private void pollQuietly() {
        try {
            poll();
        } catch (RuntimeException | Error e) {
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

    /**
     * One poll: drops every changed key not seen yet, then confirms the poll's start; throws when the table cannot be
     * read. Does nothing before the backend has built its persistence unit (on a request or deployment thread, where
     * the server's naming context is).
     */
    synchronized void poll() {
        long started = ticker.getAsLong();
        EntityManagerFactory factory = emf.get();
        if (factory == null || closed) {
            return;
        }
        EntityManager em = factory.createEntityManager();
        EntityTransaction tx = em.getTransaction();
        try {
            tx.begin();
            Number newestRead = (Number) em.createNativeQuery(NEWEST).setHint(TIMEOUT_HINT, queryTimeoutMillis).getSingleResult();
            long newest = newestRead == null ? -1 : newestRead.longValue();
            if (watermark >= 0 && (newest >= 0 && newest < highest || highestRowChanged(em))) {
                LOG.warning("the numbers of " + TABLE + " went back (newest " + newest + ", " + highest + " read before: the"
                        + " database was restored or the table re-created); the near cache is emptied and follows the table"
                        + " from its newest rows");
                memory.unconfirm();
                watermark = -1;
                highestHash = null;
                gaps.clear();
                givenUp.clear();
            }
            if (watermark < 0) {
                watermark = Math.max(0, newest - START_WINDOW);
                highest = watermark;
            }
            long after = watermark;
            List<?> rows;
            do {
                rows = em.createNativeQuery(READ).setParameter(1, after).setMaxResults(BATCH).setHint(TIMEOUT_HINT, queryTimeoutMillis)
                        .getResultList();
                for (Object row : rows) {
                    Object[] columns = (Object[]) row;
                    after = ((Number) columns[0]).longValue();
                    apply(after, (String) columns[1], started);
                }
            } while (rows.size() == BATCH);
            lookUpGivenUp(em, started);
            for (var gap = gaps.entrySet().iterator(); gap.hasNext(); ) { // read once more above, then given up
                var entry = gap.next();
                if (started - entry.getValue() >= GAP_NANOS) {
                    gap.remove();
                    givenUp.put(entry.getKey(), entry.getValue());
                }
            }
            while (givenUp.size() > MAX_GIVEN_UP) {
                givenUp.pollFirstEntry();
            }
            watermark = gaps.isEmpty() ? highest : gaps.firstKey() - 1;
            tx.commit();
            if (closed) {
                return;
            }
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
            if (tx.isActive()) {
                try {
                    tx.rollback();
                } catch (RuntimeException ignored) {
                    // the connection is gone
                }
            }
            em.close();
        }
    }

    /**
     * Whether the row last read at the top is gone or holds another key: the numbering started again and caught up
     * with where this node was (a restore, a re-created table, followed by many writes). A row pruned after a day
     * without writes looks the same, and restarting the feed then costs one emptied memory.
     */
    private boolean highestRowChanged(EntityManager em) {
        if (highestHash == null) {
            return false;
        }
        List<?> found = em.createNativeQuery(AT).setParameter(1, highest).setHint(TIMEOUT_HINT, queryTimeoutMillis).getResultList();
        return found.isEmpty() || !highestHash.equals(found.get(0));
    }

    /** Looks up the given-up numbers that are still within the retention: a change whose commit came late counts. */
    private void lookUpGivenUp(EntityManager em, long now) {
        givenUp.values().removeIf(since -> now - since >= RETENTION_NANOS);
        if (givenUp.isEmpty()) {
            return;
        }
        StringBuilder in = new StringBuilder("SELECT seq, key_hash FROM " + TABLE + " WHERE seq IN (");
        for (Long seq : givenUp.keySet()) {
            in.append(seq).append(',');
        }
        in.setLength(in.length() - 1);
        for (Object row : em.createNativeQuery(in.append(')').toString()).setHint(TIMEOUT_HINT, queryTimeoutMillis).getResultList()) {
            Object[] columns = (Object[]) row;
            givenUp.remove(((Number) columns[0]).longValue());
            memory.invalidate((String) columns[1]); // committed long after its number was taken
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
            highestHash = keyHash;
            memory.invalidate(keyHash);
        } else if (gaps.remove(seq) != null) {
            memory.invalidate(keyHash); // committed after a higher number was read
        }
    }

    private void prune(EntityManager em) {
        EntityTransaction tx = em.getTransaction();
        try {
            tx.begin();
            em.createNativeQuery(PRUNE).setHint(TIMEOUT_HINT, 2_000).setParameter(1, utc(Clock.offset(clock, RETENTION.negated())))
                    .executeUpdate();
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

    /** Numbers given up and still looked up (tests). */
    synchronized Map<Long, Long> givenUp() {
        return Map.copyOf(givenUp);
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
