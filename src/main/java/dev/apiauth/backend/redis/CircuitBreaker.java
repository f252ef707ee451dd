package dev.apiauth.backend.redis;

import dev.apiauth.backend.BackendException;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * After Redis fails once, skip it for a short while instead of letting every request wait for its timeout:
 * no thread pile-up while Redis is down, and the first call after the pause tries again.
 */
final class CircuitBreaker {

    private static final Logger LOG = Logger.getLogger(CircuitBreaker.class.getName());

    private final long pauseNanos;
    private final LongSupplier nanoTime;
    private volatile long openUntil;
    private volatile boolean open;

    CircuitBreaker(long pauseMillis, LongSupplier nanoTime) {
        this.pauseNanos = pauseMillis * 1_000_000L;
        this.nanoTime = nanoTime;
    }

    /**
     * Runs a Redis command unless Redis failed less than the pause ago; any failure opens the breaker.
     *
     * @throws BackendException when the command failed or was skipped
     */
    <T> T call(Supplier<T> command) {
        if (!allows()) {
            throw new BackendException("Redis is unavailable (failed less than " + pauseNanos / 1_000_000 + " ms ago)");
        }
        try {
            T result = command.get();
            success();
            return result;
        } catch (RuntimeException e) {
            failure(e);
            throw new BackendException("Redis call failed: " + e.getMessage(), e);
        }
    }

    /** Whether Redis should be tried now. */
    boolean allows() {
        return !open || nanoTime.getAsLong() - openUntil >= 0;
    }

    void success() {
        if (open) {
            open = false;
            LOG.info("Redis answers again; API key lookups use it again");
        }
    }

    void failure(RuntimeException e) {
        openUntil = nanoTime.getAsLong() + pauseNanos;
        if (!open) {
            open = true;
            LOG.log(Level.WARNING, "Redis failed; skipping it for " + pauseNanos / 1_000_000 + " ms at a time until it answers", e);
        }
    }
}
