package dev.apiauth.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiauth.CountingBackend;
import dev.apiauth.backend.Backend;
import dev.apiauth.backend.ForwardingBackend;
import dev.apiauth.backend.memory.MemoryBackend;
import dev.apiauth.backend.redis.OwnRedisServer;
import dev.apiauth.backend.redis.RedisCacheBackend;
import dev.apiauth.backend.redis.TestRedis;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;

/** Readiness is DOWN exactly when validations would answer 503, cheap under frequent probes, and tells no secrets. */
class ApiAuthReadinessTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    @Test
    void downWhileTheStoreFailsUpWhenItAnswersAndEachProbeIsReusedForASecond() {
        CountingBackend store = new CountingBackend(new MemoryBackend());
        ApiAuthReadiness readiness = new ApiAuthReadiness(() -> store, "memory", now::get);
        HealthCheckResponse up = readiness.call();
        assertEquals(HealthCheckResponse.Status.UP, up.getStatus());
        assertEquals("apiauth", up.getName());
        assertEquals("memory", up.getData().orElseThrow().get("backend"));
        assertEquals(1, store.reads.get(), "one lookup of a hash no key has");

        store.failing = true;
        assertSame(up, readiness.call(), "reused within a second: a probe storm does not reach the store");
        assertEquals(1, store.reads.get());
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(ApiAuthReadiness.REUSE_MILLIS));
        HealthCheckResponse down = readiness.call();
        assertEquals(HealthCheckResponse.Status.DOWN, down.getStatus());
        assertEquals("unreachable (BackendException)", down.getData().orElseThrow().get("store"));
        assertFalse(down.getData().orElseThrow().toString().contains("simulated outage"), "no exception message: it may name hosts");

        store.failing = false;
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(ApiAuthReadiness.REUSE_MILLIS));
        assertEquals(HealthCheckResponse.Status.UP, readiness.call().getStatus(), "UP again without a redeploy");
    }

    @Test
    void concurrentProbesRunOneLookupAndTheOthersGetTheLastAnswer() throws Exception {
        CountDownLatch inLookup = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicLong lookups = new AtomicLong();
        Backend slow = blockingProbe(2, lookups, inLookup, release);
        ApiAuthReadiness readiness = new ApiAuthReadiness(() -> slow, "memory", now::get);
        HealthCheckResponse first = readiness.call();
        now.addAndGet(TimeUnit.SECONDS.toNanos(2));
        CompletableFuture<HealthCheckResponse> probing = CompletableFuture.supplyAsync(readiness::call);
        assertTrue(inLookup.await(10, TimeUnit.SECONDS));
        for (int i = 0; i < 50; i++) {
            assertSame(first, readiness.call(), "while one probe waits on the store, the others answer the last result");
        }
        release.countDown();
        assertEquals(HealthCheckResponse.Status.UP, probing.get(10, TimeUnit.SECONDS).getStatus());
        assertEquals(2, lookups.get());
    }

    @Test
    void aCacheWhoseRedisIsDownIsUpButDegradedAndDownOnlyWithThePrimary() throws Exception {
        try (OwnRedisServer redis = new OwnRedisServer(false)) {
            RedissonClient client = TestRedis.client(redis.address(), true);
            CountingBackend primary = new CountingBackend(new MemoryBackend());
            try (RedisCacheBackend cache = new RedisCacheBackend(client, primary, TestRedis.namespace(), Duration.ofMinutes(5),
                    Duration.ofSeconds(5), false)) {
                ApiAuthReadiness readiness = new ApiAuthReadiness(() -> cache, "redis-cache", now::get);
                HealthCheckResponse up = readiness.call();
                assertEquals(HealthCheckResponse.Status.UP, up.getStatus());
                assertEquals("ok", up.getData().orElseThrow().get("cache"));
                redis.stop();
                now.addAndGet(TimeUnit.SECONDS.toNanos(2));
                HealthCheckResponse degraded = readiness.call();
                assertEquals(HealthCheckResponse.Status.UP, degraded.getStatus(), "validations still work through the primary");
                assertEquals("degraded", degraded.getData().orElseThrow().get("cache"));
                primary.failing = true;
                now.addAndGet(TimeUnit.SECONDS.toNanos(2));
                assertEquals(HealthCheckResponse.Status.DOWN, readiness.call().getStatus());
            } finally {
                client.shutdown();
            }
        }
    }

    @Test
    void whileTheFirstProbeHangsOthersAreDownNotAPileOfProbes() throws Exception {
        CountDownLatch inProbe = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicLong probes = new AtomicLong();
        Backend hanging = blockingProbe(1, probes, inProbe, release);
        ApiAuthReadiness readiness = new ApiAuthReadiness(() -> hanging, "jpa", now::get);
        CompletableFuture<HealthCheckResponse> first = CompletableFuture.supplyAsync(readiness::call);
        assertTrue(inProbe.await(10, TimeUnit.SECONDS));
        for (int i = 0; i < 20; i++) {
            HealthCheckResponse other = readiness.call();
            assertEquals(HealthCheckResponse.Status.DOWN, other.getStatus(), "nothing known yet and the store does not answer");
        }
        assertEquals(1, probes.get(), "one probe at a time, however many ask");
        release.countDown();
        assertEquals(HealthCheckResponse.Status.UP, first.get(10, TimeUnit.SECONDS).getStatus());
    }

    /** A store whose probe number {@code blocking} (counted in {@code probes}) signals {@code entered} and waits for {@code release}. */
    private static Backend blockingProbe(long blocking, AtomicLong probes, CountDownLatch entered, CountDownLatch release) {
        return new ForwardingBackend(new MemoryBackend()) {
            @Override
            public java.util.Map<String, String> probe() {
                if (probes.incrementAndGet() == blocking) {
                    entered.countDown();
                    try {
                        release.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return super.probe();
            }
        };
    }
}
