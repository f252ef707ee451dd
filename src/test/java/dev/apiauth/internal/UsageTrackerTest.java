package dev.apiauth.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiauth.ApiKey;
import dev.apiauth.backend.memory.MemoryBackend;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The waiting uses are bounded: when flushes fall behind (the soak's key churn grew them to 214,000 keys and the
 * server's heap with them), further keys' uses are dropped and counted, the waiting ones are still written, and
 * recording resumes once a flush has made room.
 */
class UsageTrackerTest {

    @Test
    void waitingUsesAreBoundedAndRecordingResumesAfterAFlush() {
        MemoryBackend backend = new MemoryBackend();
        List<ApiKey> keys = new ArrayList<>();
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        for (int i = 0; i < 15; i++) {
            keys.add(backend.create(new ApiKey(UUID.randomUUID(), "k", "o", dev.apiauth.backend.BackendContract.randomHash(), "ak_x",
                    Set.of(), now, null, null, null, Map.of(), 0)));
        }
        UsageTracker tracker = new UsageTracker(backend, 10);
        for (ApiKey key : keys) {
            tracker.record(key.id(), now);
        }
        assertEquals(10, tracker.pendingCount(), "no more than the bound waits");
        assertEquals(5, tracker.dropped());
        tracker.record(keys.get(0).id(), now.plusSeconds(1)); // a key already waiting is still updated
        assertEquals(10, tracker.flush());
        assertEquals(now.plusSeconds(1), backend.getById(keys.get(0).id()).orElseThrow().lastUsedAt());
        tracker.record(keys.get(14).id(), now.plusSeconds(2)); // room again
        assertEquals(1, tracker.flush());
        assertTrue(backend.getById(keys.get(14).id()).orElseThrow().lastUsedAt() != null);
        tracker.close();
    }

    /**
     * A store that fails every write (at shutdown: its EntityManagerFactory already closed) must not keep a flush
     * going: a failed key went back into the map being iterated, the iterator met it again, and the undeploy spun
     * for minutes (seen on Payara Micro after the integration tests).
     */
    @Test
    void aFlushAgainstAFailingStoreEndsAndKeepsEveryKeyPending() {
        dev.apiauth.CountingBackend failing = new dev.apiauth.CountingBackend(new MemoryBackend());
        failing.failing = true;
        UsageTracker tracker = new UsageTracker(failing, 50_000);
        Instant now = Instant.now();
        for (int i = 0; i < 5_000; i++) {
            tracker.record(UUID.randomUUID(), now);
        }
        RuntimeException failure = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(10),
                () -> org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class, tracker::flush));
        assertTrue(failure.getMessage().contains("simulated outage"), failure.toString());
        assertEquals(5_000, tracker.pendingCount(), "nothing lost: every key waits for the next flush");
        assertEquals(5_000, failing.reads.get(), "each key tried once per flush");
        assertEquals(5_000, tracker.failedWrites(), "each failed write counted (apiauth.usage.failures)");
        assertEquals(0, tracker.writes());
    }
}
