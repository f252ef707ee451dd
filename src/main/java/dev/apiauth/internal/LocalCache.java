package dev.apiauth.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.apiauth.ApiKey;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The memory of a near cache, whatever carries its invalidations (a Redis channel for {@code redis} and
 * {@code redis-cache}, the database's change table for {@code jpa}): records by key hash, bounded in size and age, and
 * answered only while the invalidation source has <em>confirmed</em> recently that it is caught up.
 *
 * <p>The source calls {@link #confirm(long)} with a time {@code t} once every invalidation written before {@code t}
 * has been applied here (for Redis: the send time of this node's own ping that came back through the channel; for the
 * database: the start of a poll of the change table that completed). The cache answers only while the last
 * confirmed time is less than the staleness bound ago; past it, it is emptied (invalidations may have been missed)
 * and answers nothing until the next confirmation. So a write is reflected on every node within the bound, or that
 * node asks the store.
 *
 * <p>The maps are Caffeine caches: a size bound with W-TinyLFU eviction (frequently used keys stay when the cache is
 * full, a scan of new keys does not flush them) and a per-entry lifetime. Known keys and "no such key" answers are
 * bounded separately, so a flood of unknown keys cannot evict known ones. Maintenance runs on the calling threads
 * (no pool of the server's is borrowed, nothing runs after close).
 */
public final class LocalCache {

    private record Entry(Optional<ApiKey> key, long lifetimeNanos) {
    }

    /** Known keys. */
    private final Cache<String, Entry> entries;
    /** "No such key" answers, bounded on their own: anyone can mint well-formed unknown keys, they never evict known ones. */
    private final Cache<String, Entry> absent;
    /** Bumped by every invalidation and clear: a lookup that overlapped one does not cache what it read. */
    private final AtomicLong generation = new AtomicLong();
    private final long ttlNanos;
    private final LongSupplier ticker;
    private final long livenessNanos;
    private volatile long confirmedAt;
    private volatile boolean confirmed;

    /**
     * @param ttl          the longest a record is kept
     * @param maxSize      entries per kind (known and unknown keys)
     * @param maxStaleness how long after the last confirmation the cache still answers
     * @param ticker       nanoseconds, {@link System#nanoTime} in production (tests move it instead of sleeping)
     */
    public LocalCache(Duration ttl, int maxSize, Duration maxStaleness, LongSupplier ticker) {
        this.ticker = ticker;
        this.ttlNanos = ttl.toNanos();
        this.livenessNanos = maxStaleness.toNanos();
        this.entries = cache(maxSize, ticker);
        this.absent = cache(maxSize, ticker);
    }

    private static Cache<String, Entry> cache(int maxSize, LongSupplier ticker) {
        return Caffeine.newBuilder().maximumSize(maxSize).ticker(ticker::getAsLong).executor(Runnable::run)
                .expireAfter(new Expiry<String, Entry>() {
                    @Override
                    public long expireAfterCreate(String key, Entry entry, long now) {
                        return entry.lifetimeNanos;
                    }

                    @Override
                    public long expireAfterUpdate(String key, Entry entry, long now, long remaining) {
                        return entry.lifetimeNanos;
                    }

                    @Override
                    public long expireAfterRead(String key, Entry entry, long now, long remaining) {
                        return remaining;
                    }
                }).build();
    }

    /** The ticker's current time: what a source passes to {@link #confirm} for "now". */
    public long now() {
        return ticker.getAsLong();
    }

    /**
     * Every invalidation written before {@code caughtUpTo} (a {@link #now()} value) has been applied here. Coming back
     * after the bound had passed, the cache is emptied first: invalidations of the gap may be lost. A confirmation
     * older than one already recorded changes nothing.
     */
    public synchronized void confirm(long caughtUpTo) {
        if (!isLive()) {
            clear();
        }
        if (!confirmed || caughtUpTo - confirmedAt > 0) {
            confirmedAt = caughtUpTo;
        }
        confirmed = true;
    }

    /** The source is known to be broken (unsubscribed, closed): nothing is answered until the next confirmation. */
    public synchronized void unconfirm() {
        confirmed = false;
        clear();
    }

    /** Whether invalidations are known to arrive: the last confirmation is within the staleness bound. */
    public boolean isLive() {
        return confirmed && ticker.getAsLong() - confirmedAt < livenessNanos;
    }

    private boolean serving() {
        if (isLive()) {
            return true;
        }
        if (entries.estimatedSize() > 0 || absent.estimatedSize() > 0) {
            clear(); // invalidations may have been missed while the source was not confirmed
        }
        return false;
    }

    /** The cached answer (a record, or empty for "no such key"), or null when not cached, too old, or not live. */
    public Optional<ApiKey> get(String keyHash) {
        if (!serving()) {
            return null;
        }
        Entry entry = entries.getIfPresent(keyHash);
        if (entry == null) {
            entry = absent.getIfPresent(keyHash);
        }
        return entry == null ? null : entry.key;
    }

    /** Taken before reading the store, handed to {@link #put}. */
    public long generation() {
        return generation.get();
    }

    /**
     * Caches what a lookup found, unless an invalidation or clear arrived since it started ({@code generation}).
     * The check and the insertion are one atomic step on the key's entry, so an invalidation cannot slip between
     * them: it bumps the generation before it removes the key.
     */
    public void put(String keyHash, Optional<ApiKey> key, Duration lifetime, long generationBefore) {
        if (generation.get() != generationBefore || !isLive()) {
            return;
        }
        Entry entry = new Entry(key, Math.min(ttlNanos, lifetime.toNanos()));
        Cache<String, Entry> cache = key.isPresent() ? entries : absent;
        cache.asMap().compute(keyHash, (k, old) -> generation.get() == generationBefore ? entry : old);
        if (generation.get() != generationBefore) {
            cache.asMap().remove(keyHash, entry); // a clear() walking the map may have passed this entry while it was inserted
        }
    }

    /** Drops the key's entry: first the generation, so a lookup that has not inserted yet will not. */
    public void invalidate(String keyHash) {
        generation.incrementAndGet();
        entries.invalidate(keyHash);
        absent.invalidate(keyHash);
    }

    public void clear() {
        generation.incrementAndGet();
        entries.invalidateAll();
        absent.invalidateAll();
    }

    /** Entries held, known and absent (approximate; for tests and diagnostics). */
    public long size() {
        return entries.estimatedSize() + absent.estimatedSize();
    }
}
