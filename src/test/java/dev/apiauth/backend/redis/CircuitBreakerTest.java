package dev.apiauth.backend.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiauth.backend.BackendException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The breaker on a hand-moved clock: skipped while open, exactly one probe when half-open. */
class CircuitBreakerTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final CircuitBreaker breaker = new CircuitBreaker(1000, now::get);
    private final AtomicInteger calls = new AtomicInteger();

    private String ok() {
        calls.incrementAndGet();
        return "ok";
    }

    private String fail() {
        calls.incrementAndGet();
        throw new IllegalStateException("connection refused");
    }

    @Test
    void aFailureOpensTheBreakerForThePauseAndCommandsAreSkippedMeanwhile() {
        assertThrows(BackendException.class, () -> breaker.call(this::fail));
        assertEquals(1, calls.get());
        now.addAndGet(999_000_000L);
        assertFalse(breaker.allows());
        assertThrows(BackendException.class, () -> breaker.call(this::ok));
        assertEquals(1, calls.get(), "skipped without touching Redis");
        now.addAndGet(1_000_000L);
        assertTrue(breaker.allows());
        assertEquals("ok", breaker.call(this::ok));
        assertEquals("ok", breaker.call(this::ok), "closed again");
    }

    @Test
    void whenHalfOpenExactlyOneCallerProbesWhileTheOthersAreSkipped() throws Exception {
        assertThrows(BackendException.class, () -> breaker.call(this::fail));
        now.addAndGet(1_000_000_000L);
        CountDownLatch probing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<String> probe = CompletableFuture.supplyAsync(() -> breaker.call(() -> {
            probing.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return ok();
        }));
        assertTrue(probing.await(10, TimeUnit.SECONDS));
        for (int i = 0; i < 5; i++) {
            assertThrows(BackendException.class, () -> breaker.call(this::ok), "another caller while the probe runs");
        }
        assertFalse(breaker.allows());
        assertEquals(1, calls.get(), "only the first failure reached Redis; the probe has not finished and the others were skipped");
        release.countDown();
        assertEquals("ok", probe.get(10, TimeUnit.SECONDS));
        assertEquals("ok", breaker.call(this::ok), "the successful probe closed the breaker");
    }

    @Test
    void aFailedProbeOpensTheBreakerForAnotherPause() {
        assertThrows(BackendException.class, () -> breaker.call(this::fail));
        now.addAndGet(1_000_000_000L);
        assertThrows(BackendException.class, () -> breaker.call(this::fail));
        assertEquals(2, calls.get());
        assertThrows(BackendException.class, () -> breaker.call(this::ok));
        assertEquals(2, calls.get(), "open again after the failed probe");
    }
}
