package dev.apiauth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiauth.RateLimiter.Decision;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The limiter of one node: exact bursts however many threads race, refill by time, bounded state. */
class LocalRateLimiterTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final LocalRateLimiter limiter = new LocalRateLimiter(now::get);

    @Test
    void aBurstGetsExactlyTheLimitThenRefusalsThatSayWhenToRetry() {
        UUID key = UUID.randomUUID();
        RateLimit limit = RateLimit.of(5, Duration.ofMinutes(1));
        for (int i = 0; i < 5; i++) {
            Decision decision = limiter.acquire(key, limit);
            assertTrue(decision.allowed(), "request " + (i + 1));
            assertEquals(4 - i, decision.remaining());
            assertEquals(0, decision.retryAfterMillis());
        }
        Decision refused = limiter.acquire(key, limit);
        assertFalse(refused.allowed());
        assertEquals(0, refused.remaining());
        assertEquals(12_000, refused.retryAfterMillis()); // one request per 60 s / 5
        assertEquals(60_000, refused.resetMillis());
        assertFalse(limiter.acquire(key, limit).allowed(), "refusals take nothing and give nothing");
    }

    @Test
    void timeRefillsTheBucketEvenlyAndNeverBeyondItsSize() {
        UUID key = UUID.randomUUID();
        RateLimit limit = RateLimit.of(5, Duration.ofMinutes(1));
        for (int i = 0; i < 5; i++) {
            limiter.acquire(key, limit);
        }
        now.addAndGet(TimeUnit.SECONDS.toNanos(11));
        assertFalse(limiter.acquire(key, limit).allowed(), "11 s refill less than one request");
        now.addAndGet(TimeUnit.SECONDS.toNanos(1));
        assertTrue(limiter.acquire(key, limit).allowed(), "12 s refill exactly one");
        assertFalse(limiter.acquire(key, limit).allowed());
        now.addAndGet(TimeUnit.HOURS.toNanos(5));
        int allowed = 0;
        while (limiter.acquire(key, limit).allowed()) {
            allowed++;
        }
        assertEquals(5, allowed, "a long idle time fills the bucket, no more");
    }

    @Test
    void keysHaveBucketsOfTheirOwn() {
        RateLimit one = RateLimit.of(1, Duration.ofHours(1));
        UUID a = UUID.randomUUID();
        UUID b = UUID.randomUUID();
        assertTrue(limiter.acquire(a, one).allowed());
        assertFalse(limiter.acquire(a, one).allowed());
        assertTrue(limiter.acquire(b, one).allowed());
    }

    @Test
    void aLoweredLimitAppliesAtOnceAndARaisedOneDoesNotHandOutAFreshBucket() {
        UUID key = UUID.randomUUID();
        for (int i = 0; i < 8; i++) {
            assertTrue(limiter.acquire(key, RateLimit.of(10, Duration.ofHours(1))).allowed());
        }
        // 2 left of 10; lowered to 1: at most 1 more
        assertTrue(limiter.acquire(key, RateLimit.of(1, Duration.ofHours(1))).allowed());
        assertFalse(limiter.acquire(key, RateLimit.of(1, Duration.ofHours(1))).allowed());
        assertFalse(limiter.acquire(key, RateLimit.of(100, Duration.ofHours(1))).allowed(), "raising a limit refills nothing");
    }

    @Test
    void racingThreadsGetExactlyTheLimit() throws Exception {
        LocalRateLimiter real = new LocalRateLimiter(); // real time: 100 per hour refills nothing measurable meanwhile
        UUID key = UUID.randomUUID();
        RateLimit limit = RateLimit.of(100, Duration.ofHours(1));
        int threads = 8;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                results.add(pool.submit(() -> {
                    start.await();
                    int allowed = 0;
                    for (int i = 0; i < 1000; i++) {
                        if (real.acquire(key, limit).allowed()) {
                            allowed++;
                        }
                    }
                    return allowed;
                }));
            }
            start.countDown();
            int total = 0;
            for (Future<Integer> result : results) {
                total += result.get(30, TimeUnit.SECONDS);
            }
            assertEquals(100, total);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void fullBucketsAreSweptSoStateStaysBoundedAndSweptKeysStartFull() {
        RateLimit limit = RateLimit.of(2, Duration.ofSeconds(10));
        UUID first = UUID.randomUUID();
        assertTrue(limiter.acquire(first, limit).allowed());
        assertTrue(limiter.acquire(first, limit).allowed());
        assertFalse(limiter.acquire(first, limit).allowed());
        now.addAndGet(TimeUnit.SECONDS.toNanos(11)); // every bucket so far is full again
        for (int i = 0; i < 3 * LocalRateLimiter.SWEEP_FLOOR; i++) {
            limiter.acquire(UUID.randomUUID(), limit);
            if (i % LocalRateLimiter.SWEEP_FLOOR == 0) {
                now.addAndGet(TimeUnit.SECONDS.toNanos(11));
            }
        }
        assertTrue(limiter.size() <= 2 * LocalRateLimiter.SWEEP_FLOOR + 1, "buckets held: " + limiter.size());
        assertTrue(limiter.acquire(first, limit).allowed());
        assertTrue(limiter.acquire(first, limit).allowed());
        assertFalse(limiter.acquire(first, limit).allowed(), "a swept key counts from a full bucket, exactly");
    }

    @Test
    void bucketsThatAreNotFullAreNeverSwept() {
        RateLimit limit = RateLimit.of(1, Duration.ofDays(1));
        UUID key = UUID.randomUUID();
        assertTrue(limiter.acquire(key, limit).allowed());
        for (int i = 0; i < 3 * LocalRateLimiter.SWEEP_FLOOR; i++) {
            limiter.acquire(UUID.randomUUID(), limit);
        }
        assertFalse(limiter.acquire(key, limit).allowed(), "a sweep must not forget a spent bucket");
    }

    @Test
    void aSyncedBucketGoesOnFromTheSharedCount() {
        UUID key = UUID.randomUUID();
        RateLimit limit = RateLimit.of(10, Duration.ofHours(1));
        limiter.sync(key, limit, 3);
        int allowed = 0;
        while (limiter.acquire(key, limit).allowed()) {
            allowed++;
        }
        assertEquals(3, allowed);
        limiter.sync(key, limit, 50);
        assertEquals(9, limiter.acquire(key, limit).remaining(), "never more than the bucket holds");
    }
}
