package dev.apiauth;

import java.util.Iterator;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * Rate limits counted in this JVM: one token bucket per key, taken under the bucket's own lock, so a limit is exact
 * on one node however many threads race for it. Only keys that passed validation get here, so nobody can fill the
 * map with made-up keys; and buckets that have refilled completely carry no information and are swept once the map
 * has grown past twice its size after the last sweep (at least {@value #SWEEP_FLOOR} entries).
 */
public final class LocalRateLimiter implements RateLimiter {

    static final int SWEEP_FLOOR = 4096;

    private final Map<UUID, Bucket> buckets = new ConcurrentHashMap<>();
    private final LongSupplier nanoTime;
    private final AtomicBoolean sweeping = new AtomicBoolean();
    private volatile int sweepAt = SWEEP_FLOOR;

    public LocalRateLimiter() {
        this(System::nanoTime);
    }

    /** With the ticker time is read from (tests move it instead of sleeping). */
    public LocalRateLimiter(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    @Override
    public Decision acquire(UUID keyId, RateLimit limit) {
        while (true) {
            long now = nanoTime.getAsLong();
            Decision decision = bucket(keyId, now).take(limit, now);
            if (decision != null) {
                return decision;
            }
            // swept between the lookup and the lock: its state is gone with it, so take from the key's new bucket
        }
    }

    /** The key's bucket, made when missing (which may trigger a sweep). */
    private Bucket bucket(UUID keyId, long now) {
        Bucket bucket = buckets.get(keyId);
        if (bucket != null) {
            return bucket;
        }
        Bucket fresh = new Bucket();
        bucket = buckets.putIfAbsent(keyId, fresh);
        if (bucket != null) {
            return bucket;
        }
        if (buckets.size() > sweepAt) {
            sweep(now);
        }
        return fresh;
    }

    /**
     * Sets {@code keyId}'s bucket to {@code remaining} requests as of now: what a shared limiter counted, so that if
     * the shared store fails this node goes on from the last count instead of from a full bucket.
     */
    public void sync(UUID keyId, RateLimit limit, long remaining) {
        while (true) {
            long now = nanoTime.getAsLong();
            if (bucket(keyId, now).set(limit, remaining, now)) {
                return;
            }
        }
    }

    /** Buckets held (for tests and the bound). */
    int size() {
        return buckets.size();
    }

    private void sweep(long now) {
        if (!sweeping.compareAndSet(false, true)) {
            return;
        }
        try {
            for (Iterator<Map.Entry<UUID, Bucket>> it = buckets.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<UUID, Bucket> entry = it.next();
                if (entry.getValue().retireIfFull(now)) {
                    buckets.remove(entry.getKey(), entry.getValue());
                }
            }
            sweepAt = Math.max(SWEEP_FLOOR, buckets.size() * 2);
        } finally {
            sweeping.set(false);
        }
    }

    /** One key's bucket. A retired bucket has been removed from the map and refuses to count. */
    private static final class Bucket {
        private double tokens = -1; // not yet used: full
        private long last;
        private long fullAt;
        private boolean retired;

        synchronized Decision take(RateLimit limit, long now) {
            if (retired) {
                return null;
            }
            double capacity = limit.requests();
            double perNanos = limit.per().toNanos();
            if (tokens < 0) {
                tokens = capacity;
                last = now;
            } else if (now - last > 0) {
                tokens = Math.min(capacity, tokens + (now - last) * capacity / perNanos);
                last = now;
            }
            tokens = Math.min(tokens, capacity); // the limit may have been lowered since
            boolean allowed = tokens >= 1;
            if (allowed) {
                tokens -= 1;
            }
            long untilFull = (long) Math.ceil((capacity - tokens) * perNanos / capacity);
            fullAt = last + untilFull;
            long retryAfter = allowed ? 0 : millis((long) Math.ceil((1 - tokens) * perNanos / capacity));
            return new Decision(allowed, (long) tokens, retryAfter, millis(untilFull));
        }

        synchronized boolean set(RateLimit limit, long remaining, long now) {
            if (retired) {
                return false;
            }
            double capacity = limit.requests();
            if (tokens < 0 || now - last > 0) { // a new bucket, or time went on since its last count
                last = now;
            }
            tokens = Math.max(0, Math.min(capacity, remaining));
            fullAt = last + (long) Math.ceil((capacity - tokens) * limit.per().toNanos() / capacity);
            return true;
        }

        synchronized boolean retireIfFull(long now) {
            if (tokens >= 0 && now - fullAt >= 0) {
                retired = true;
            }
            return retired;
        }

        private static long millis(long nanos) {
            return (nanos + 999_999) / 1_000_000;
        }
    }
}
