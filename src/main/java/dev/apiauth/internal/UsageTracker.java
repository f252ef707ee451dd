package dev.apiauth.internal;

import dev.apiauth.backend.Backend;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Records when keys were last used without writing on the request path: requests note the time in memory,
 * a background flush writes each key's latest time at most once per interval, and never moves
 * {@code lastUsedAt} backwards. What cannot be written (backend down) is kept for the next flush. At most
 * {@value #MAX_PENDING} keys wait at once: when flushes fall behind (keys created faster than the store takes one
 * write each; the soak's 240 new keys a second over redis-cache + jpa grew the waiting map to 214,000 keys and the
 * heap with it), the uses of further keys are dropped, counted and reported; {@code lastUsedAt} is a hint, memory
 * is not.
 */
public final class UsageTracker implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(UsageTracker.class.getName());
    private static final BiFunction<Instant, Instant, Instant> LATEST = (a, b) -> a.isAfter(b) ? a : b;

    private final Backend backend;
    /** The most keys with an unwritten use held at once (about 100 bytes each). */
    public static final int MAX_PENDING = 50_000;

    private final Map<UUID, Instant> pending = new ConcurrentHashMap<>();
    private final int maxPending;
    private final AtomicLong dropped = new AtomicLong();
    private final java.util.concurrent.atomic.AtomicBoolean droppingReported = new java.util.concurrent.atomic.AtomicBoolean();
    private final AtomicLong writes = new AtomicLong();
    private final ScheduledExecutorService scheduler;

    /** A tracker flushed only by {@link #flush()}; for tests and callers with their own scheduling. */
    public UsageTracker(Backend backend) {
        this(backend, MAX_PENDING);
    }

    /** The same, holding at most {@code maxPending} keys. */
    public UsageTracker(Backend backend, int maxPending) {
        this.backend = backend;
        this.maxPending = maxPending;
        this.scheduler = null;
    }

    /** A tracker that flushes every {@code interval} on a daemon thread of its own until closed. */
    public UsageTracker(Backend backend, Duration interval) {
        this.backend = backend;
        this.maxPending = MAX_PENDING;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "apiauth-usage-flush");
            thread.setDaemon(true);
            return thread;
        });
        long millis = interval.toMillis();
        scheduler.scheduleWithFixedDelay(this::flushQuietly, millis, millis, TimeUnit.MILLISECONDS);
    }

    /** Notes a use; on the request path, so it only touches memory. */
    public void record(UUID keyId, Instant at) {
        Instant known = pending.get(keyId);
        if (known == null && pending.size() >= maxPending) {
            dropped.incrementAndGet();
            if (droppingReported.compareAndSet(false, true)) {
                LOG.warning("API key usage tracking falls behind: " + maxPending + " keys wait for their lastUsedAt write;"
                        + " uses of further keys are dropped until flushes catch up (reported once per flush)");
            }
            return;
        }
        if (known == null || at.isAfter(known)) {
            pending.merge(keyId, at, LATEST);
        }
    }

    /** Uses not recorded because {@link #MAX_PENDING} keys were already waiting. */
    public long dropped() {
        return dropped.get();
    }

    /**
     * Writes what was recorded since the last flush; returns the number of backend writes. A key that cannot be
     * written stays pending and does not stop the others; the first failure is rethrown after all were tried.
     */
    public int flush() {
        droppingReported.set(false);
        int written = 0;
        RuntimeException failure = null;
        // a snapshot, and failed keys put back only after the loop: put back while iterating the map itself, a key
        // could be met again by the same iteration, and a store that fails every write kept the flush going forever
        java.util.Map<UUID, Instant> failed = new java.util.HashMap<>();
        for (UUID id : new java.util.ArrayList<>(pending.keySet())) {
            Instant at = pending.remove(id);
            if (at == null) {
                continue;
            }
            try {
                boolean[] wrote = {false};
                boolean stored = Records.modify(backend, id, key -> {
                    wrote[0] = key.lastUsedAt() == null || key.lastUsedAt().isBefore(at);
                    return wrote[0] ? key.withLastUsedAt(at) : key;
                }).isPresent();
                if (stored && wrote[0]) {
                    written++;
                    writes.incrementAndGet();
                }
            } catch (RuntimeException e) {
                failedWrites.incrementAndGet();
                failed.put(id, at);
                if (failure == null) {
                    failure = e;
                } else if (failure.getSuppressed().length < 10) {
                    failure.addSuppressed(e);
                }
            }
        }
        failed.forEach((id, at) -> pending.merge(id, at, LATEST)); // a newer use recorded meanwhile wins
        if (failure != null) {
            throw failure;
        }
        return written;
    }

    /** Backend writes made by all flushes so far. */
    public long writes() {
        return writes.get();
    }

    /** Backend writes that failed, over all flushes so far (each key is tried again at the next flush). */
    public long failedWrites() {
        return failedWrites.get();
    }

    private final java.util.concurrent.atomic.AtomicLong failedWrites = new java.util.concurrent.atomic.AtomicLong();

    /** Keys with a use not yet written. */
    public int pendingCount() {
        return pending.size();
    }

    private void flushQuietly() {
        try {
            flush();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not record API key usage (" + pending.size()
                    + " keys pending); retrying at the next flush: " + e);
        }
    }

    /** The last flush, at shutdown: nothing comes after it, so what fails is lost, and the log says so. */
    private void finalFlush() {
        try {
            flush();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not record the last API key usage at shutdown; lastUsedAt of " + pending.size()
                    + " keys is lost: " + e);
        }
    }

    /** Stops the background flush and writes what is pending. */
    @Override
    public void close() {
        if (scheduler != null) {
            scheduler.shutdown();
            try {
                scheduler.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        finalFlush();
    }
}
