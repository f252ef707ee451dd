package dev.apiauth.backend.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiauth.RateLimit;
import dev.apiauth.RateLimiter;
import dev.apiauth.RateLimiter.Decision;
import dev.apiauth.LocalRateLimiter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/** The shared limiter on a real Redis: nodes (limiters of their own) share one exact count; an outage counts locally. */
class RedisRateLimiterTest {

    private static RedissonClient redis;
    private static String namespace;

    @BeforeAll
    static void connect() {
        redis = TestRedis.client();
        namespace = TestRedis.namespace();
    }

    @AfterAll
    static void cleanUp() {
        if (redis != null) {
            TestRedis.deleteNamespace(redis, namespace);
            redis.shutdown();
        }
    }

    private static RedisRateLimiter node() {
        return node(namespace);
    }

    private static RedisRateLimiter node(String ns) {
        return new RedisRateLimiter(redis, ns, new LocalRateLimiter());
    }

    @Test
    void aBurstGetsExactlyTheLimitAcrossNodesThenSaysWhenToRetry() {
        UUID key = UUID.randomUUID();
        RateLimit limit = RateLimit.of(6, Duration.ofHours(1));
        RedisRateLimiter a = node();
        RedisRateLimiter b = node();
        int allowed = 0;
        for (int i = 0; i < 10; i++) {
            Decision decision = (i % 2 == 0 ? a : b).acquire(key, limit);
            if (decision.allowed()) {
                allowed++;
                assertEquals(6 - allowed, decision.remaining());
            } else {
                long perRequest = Duration.ofHours(1).toMillis() / 6;
                assertTrue(decision.retryAfterMillis() > perRequest - 5_000 && decision.retryAfterMillis() <= perRequest,
                        "retry after " + decision.retryAfterMillis());
                assertTrue(decision.resetMillis() > Duration.ofHours(1).toMillis() - 5_000, "reset " + decision.resetMillis());
            }
        }
        assertEquals(6, allowed);
    }

    @Test
    void racingNodesGetExactlyTheLimitAndStateIsOneExpiringEntryPerKey() throws Exception {
        UUID key = UUID.randomUUID();
        RateLimit limit = RateLimit.of(50, Duration.ofMinutes(10));
        String own = namespace + "race:";
        List<RedisRateLimiter> nodes = List.of(node(own), node(own), node(own));
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                RateLimiter node = nodes.get(t % nodes.size());
                results.add(pool.submit(() -> {
                    start.await();
                    int allowed = 0;
                    for (int i = 0; i < 40; i++) {
                        if (node.acquire(key, limit).allowed()) {
                            allowed++;
                        }
                    }
                    return allowed;
                }));
            }
            start.countDown();
            int total = 0;
            for (Future<Integer> result : results) {
                total += result.get(60, TimeUnit.SECONDS);
            }
            assertEquals(50, total, "240 attempts from 3 nodes");
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, redis.getKeys().countExists(nodes.get(0).bucketKey(key)));
        long ttl = redis.getBucket(nodes.get(0).bucketKey(key), StringCodec.INSTANCE).remainTimeToLive();
        assertTrue(ttl > 0 && ttl <= Duration.ofMinutes(10).toMillis(), "the bucket expires when full again: ttl " + ttl);
        assertEquals(1, redis.getKeys().getKeysStreamByPattern(own + "*").count(), "one entry per key, however many requests");
    }

    @Test
    void timeOnRedisRefillsTheBucket() throws Exception {
        UUID key = UUID.randomUUID();
        RateLimit limit = RateLimit.of(2, Duration.ofSeconds(1));
        RedisRateLimiter node = node();
        assertTrue(node.acquire(key, limit).allowed());
        assertTrue(node.acquire(key, limit).allowed());
        Decision refused = node.acquire(key, limit);
        assertFalse(refused.allowed());
        assertTrue(refused.retryAfterMillis() > 0 && refused.retryAfterMillis() <= 500, "retry after " + refused.retryAfterMillis());
        Thread.sleep(refused.retryAfterMillis() + 50);
        assertTrue(node.acquire(key, limit).allowed(), "half a second refills one of 2/s");
    }

    @Test
    void withoutRedisItCountsLocallyFromTheLastCountSaysSoOnceAndNeverFails() throws Exception {
        List<LogRecord> logged = new ArrayList<>();
        Logger log = Logger.getLogger(RedisRateLimiter.class.getName());
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                logged.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        log.addHandler(capture);
        try (OwnRedisServer own = new OwnRedisServer()) {
            RedissonClient client = TestRedis.client(own.address(), true);
            try {
                RedisRateLimiter node = new RedisRateLimiter(client, namespace, new LocalRateLimiter());
                UUID key = UUID.randomUUID();
                RateLimit limit = RateLimit.of(10, Duration.ofHours(1));
                for (int i = 0; i < 4; i++) {
                    assertTrue(node.acquire(key, limit).allowed(), "counted in Redis");
                }
                own.stop();
                int allowed = 0;
                for (int i = 0; i < 12; i++) {
                    if (node.acquire(key, limit).allowed()) {
                        allowed++;
                    }
                }
                assertEquals(6, allowed, "this node goes on from the 6 Redis said were left, not from a full bucket");
                assertEquals(1, logged.stream().filter(r -> r.getLevel() == Level.WARNING).count(), "said once");
                own.start(); // an empty Redis (not persistent): a full bucket there, so an admitted request proves Redis counts
                boolean counted = false;
                for (int i = 0; i < 50 && !counted; i++) { // the breaker lets a probe through after its pause
                    Thread.sleep(100);
                    counted = node.acquire(key, limit).allowed();
                }
                assertTrue(counted, "Redis counts again");
                assertTrue(logged.stream().anyMatch(r -> r.getLevel() == Level.INFO && r.getMessage().contains("again")));
            } finally {
                client.shutdown();
            }
        } finally {
            log.removeHandler(capture);
        }
    }
}
