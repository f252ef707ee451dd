package dev.apiauth.health;

import dev.apiauth.backend.Backend;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;

/**
 * The readiness check {@code apiauth} ({@code /health/ready}): DOWN exactly when a validation would answer 503, that
 * is when the key store does not answer {@link Backend#probe()}; UP otherwise, with the backend's details (such as
 * {@code cache=degraded}). A probe's result is reused for {@value #REUSE_MILLIS} ms and only one probe runs at a time
 * (the others answer the last result, or DOWN when there is none yet or it is older than {@value #STALE_MILLIS} ms:
 * a probe that hangs on the store means not ready), so frequent or concurrent health requests put no load on it. The data
 * never holds keys, hashes, owners, addresses or exception messages (which may name hosts or credentials).
 */
public final class ApiAuthReadiness implements HealthCheck {

    public static final String NAME = "apiauth";
    static final long REUSE_MILLIS = 1000;
    /** A result older than this while a probe still waits on the store is no longer trusted: DOWN. */
    static final long STALE_MILLIS = 5000;

    private final Supplier<Backend> backend;
    private final String backendName;
    private final LongSupplier nanoTime;
    private final AtomicBoolean probing = new AtomicBoolean();
    private volatile Result last;

    public ApiAuthReadiness(Supplier<Backend> backend, String backendName) {
        this(backend, backendName, System::nanoTime);
    }

    ApiAuthReadiness(Supplier<Backend> backend, String backendName, LongSupplier nanoTime) {
        this.backend = backend;
        this.backendName = backendName;
        this.nanoTime = nanoTime;
    }

    @Override
    public HealthCheckResponse call() {
        Result known = last;
        long now = nanoTime.getAsLong();
        if (known != null && now - known.at < REUSE_MILLIS * 1_000_000L) {
            return known.response;
        }
        if (!probing.compareAndSet(false, true)) {
            // another request is probing right now: its answer is not in yet
            if (known != null && now - known.at < STALE_MILLIS * 1_000_000L) {
                return known.response;
            }
            return notAnswering(); // nothing known yet, or the probe has hung for long: not ready
        }
        try {
            Result fresh = new Result(probe(), nanoTime.getAsLong());
            last = fresh;
            return fresh.response;
        } finally {
            probing.set(false);
        }
    }

    /** Built with the response's constructor, not a provider's builder: no dependency on the server's implementation. */
    private HealthCheckResponse probe() {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("backend", backendName);
        try {
            data.putAll(backend.get().probe());
            return new HealthCheckResponse(NAME, HealthCheckResponse.Status.UP, Optional.of(data));
        } catch (RuntimeException e) {
            data.put("store", "unreachable (" + e.getClass().getSimpleName() + ")");
            return new HealthCheckResponse(NAME, HealthCheckResponse.Status.DOWN, Optional.of(data));
        }
    }

    private HealthCheckResponse notAnswering() {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("backend", backendName);
        data.put("store", "not answering (a probe is waiting on it)");
        return new HealthCheckResponse(NAME, HealthCheckResponse.Status.DOWN, Optional.of(data));
    }

    private record Result(HealthCheckResponse response, long at) {
    }
}
