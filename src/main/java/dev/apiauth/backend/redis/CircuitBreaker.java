package dev.apiauth.backend.redis;

import dev.apiauth.backend.BackendException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * After Redis fails, skip it for a short while instead of letting every request wait for its timeout: no thread
 * pile-up while Redis is down. When the pause is over the breaker is half-open: exactly one caller probes Redis
 * while the others are still skipped, and the probe's outcome closes the breaker or opens it for another pause.
 * One {@link AtomicReference} holds the whole state; time comes from an injected ticker.
 */
final class CircuitBreaker {

    private static final Logger LOG = Logger.getLogger(CircuitBreaker.class.getName());

    private enum Phase { CLOSED, OPEN, HALF_OPEN }

    private record State(Phase phase, long openUntil) {
    }

    private static final State CLOSED = new State(Phase.CLOSED, 0);
    private static final State PROBING = new State(Phase.HALF_OPEN, 0);

    private final long pauseNanos;
    private final LongSupplier nanoTime;
    private final AtomicReference<State> state = new AtomicReference<>(CLOSED);

    CircuitBreaker(long pauseMillis, LongSupplier nanoTime) {
        this.pauseNanos = pauseMillis * 1_000_000L;
        this.nanoTime = nanoTime;
    }

    /**
     * Runs a Redis command unless Redis failed less than the pause ago or another caller is probing it; any
     * failure opens the breaker.
     *
     * @throws BackendException when the command failed or was skipped
     */
    <T> T call(Supplier<T> command) {
        State current = state.get();
        if (current.phase == Phase.HALF_OPEN
                || current.phase == Phase.OPEN && (nanoTime.getAsLong() - current.openUntil < 0 || !state.compareAndSet(current, PROBING))) {
            throw new BackendException("Redis is unavailable (failed less than " + pauseNanos / 1_000_000 + " ms ago, or being probed)");
        }
        try {
            T result = command.get();
            success();
            return result;
        } catch (RuntimeException e) {
            failure(e);
            throw new BackendException("Redis call failed: " + e.getMessage(), e);
        } catch (Error e) {
            failure(new IllegalStateException(e.toString(), e)); // never left half-open with no probe running
            throw e;
        }
    }

    /** Whether Redis should be tried now (closed, or open with the pause over and no probe running). */
    boolean allows() {
        State current = state.get();
        return current.phase == Phase.CLOSED || current.phase == Phase.OPEN && nanoTime.getAsLong() - current.openUntil >= 0;
    }

    void success() {
        if (state.getAndSet(CLOSED).phase != Phase.CLOSED) {
            LOG.info("Redis answers again; API key lookups use it again");
        }
    }

    void failure(RuntimeException e) {
        if (state.getAndSet(new State(Phase.OPEN, nanoTime.getAsLong() + pauseNanos)).phase == Phase.CLOSED) {
            LOG.log(Level.WARNING, "Redis failed; skipping it for " + pauseNanos / 1_000_000 + " ms at a time until it answers", e);
        }
    }
}
