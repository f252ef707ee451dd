package dev.apiauth;

import java.util.UUID;

/**
 * Counts requests of keys against their {@link RateLimit}. The library uses a limiter local to the JVM, or the one
 * its backend shares between nodes ({@link dev.apiauth.backend.Backend#rateLimiter}); a backend of your own can
 * return one too.
 *
 * <p>A limiter never fails a request because it cannot count: one that loses its store counts locally instead.
 * State per key must be bounded and expire once the key's bucket is full again.
 */
public interface RateLimiter {

    /** Takes one request from {@code keyId}'s bucket (of {@code limit}), if there is one left. */
    Decision acquire(UUID keyId, RateLimit limit);

    /**
     * What one request found.
     *
     * @param allowed          whether it may proceed
     * @param remaining        requests left in the bucket after this one
     * @param retryAfterMillis when refused, how long until one request is admitted again; else 0
     * @param resetMillis      how long until the bucket is full again
     */
    record Decision(boolean allowed, long remaining, long retryAfterMillis, long resetMillis) {
    }
}
