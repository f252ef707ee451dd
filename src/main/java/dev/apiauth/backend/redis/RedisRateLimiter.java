package dev.apiauth.backend.redis;

import dev.apiauth.RateLimit;
import dev.apiauth.RateLimiter;
import dev.apiauth.backend.BackendException;
import dev.apiauth.LocalRateLimiter;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import java.util.logging.Logger;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * Rate limits shared by every node through Redis: one Lua script per request takes a token from the key's bucket,
 * a Redis hash {@code ns + "rl:" + id} of two fields (tokens left, time of the last take) that expires when the
 * bucket would be full again. Time is Redis's own clock ({@code TIME}), so nodes with skewed clocks count alike,
 * and one key per script keeps it to one slot in a cluster. While Redis is unreachable the limiter counts on this
 * node alone (said once per outage), going on from the last count Redis gave this node for the key: a request is
 * never refused because the limiter cannot reach its store, and a single failed call hands out no fresh bucket.
 */
public final class RedisRateLimiter implements RateLimiter {

    private static final Logger LOG = Logger.getLogger(RedisRateLimiter.class.getName());

    /*
     * ARGV[1]: capacity (requests), ARGV[2]: refill period in microseconds. Returns {allowed, remaining, retry-after
     * us, until-full us}. Tokens are whole numbers until time refills a fraction, so a burst is counted exactly; a
     * refused request writes nothing.
     */
    static final String TAKE = """
            local t = redis.call('time')
            local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
            local capacity = tonumber(ARGV[1])
            local per = tonumber(ARGV[2])
            local state = redis.call('hmget', KEYS[1], 't', 'n')
            local tokens = capacity
            if state[1] and state[2] then
              local last = tonumber(state[1])
              tokens = tonumber(state[2])
              if now > last then
                tokens = tokens + (now - last) * capacity / per
              else
                now = last
              end
              if tokens > capacity then tokens = capacity end
            end
            if tokens < 1 then
              return {0, 0, math.ceil((1 - tokens) * per / capacity), math.ceil((capacity - tokens) * per / capacity)}
            end
            tokens = tokens - 1
            local full = math.ceil((capacity - tokens) * per / capacity)
            redis.call('hset', KEYS[1], 't', string.format('%.0f', now), 'n', string.format('%.17g', tokens))
            redis.call('pexpire', KEYS[1], math.max(1, math.ceil(full / 1000)))
            return {1, math.floor(tokens), 0, full}""";

    private final RScript script;
    private final String namespace;
    private final LocalRateLimiter fallback;
    private final CircuitBreaker breaker;
    private final AtomicBoolean local = new AtomicBoolean();

    /**
     * @param fallback counts while Redis is unreachable; after each count in Redis it is told the key's remaining
     *                 requests, so a failed call does not hand out a full bucket
     */
    public RedisRateLimiter(RedissonClient redis, String namespace, LocalRateLimiter fallback) {
        this(redis, namespace, fallback, System::nanoTime);
    }

    RedisRateLimiter(RedissonClient redis, String namespace, LocalRateLimiter fallback, LongSupplier ticker) {
        this.script = Objects.requireNonNull(redis, "redis").getScript(StringCodec.INSTANCE);
        this.namespace = Objects.requireNonNull(namespace, "namespace");
        this.fallback = Objects.requireNonNull(fallback, "fallback");
        this.breaker = new CircuitBreaker(RedisBackend.PAUSE_MILLIS, ticker);
    }

    @Override
    public Decision acquire(UUID keyId, RateLimit limit) {
        String bucket = bucketKey(keyId);
        List<Object> taken;
        try {
            taken = breaker.call(() -> script.<List<Object>>eval(bucket, RScript.Mode.READ_WRITE, TAKE, RScript.ReturnType.LIST,
                    List.of(bucket), Integer.toString(limit.requests()), Long.toString(limit.per().toSeconds() * 1_000_000L)));
        } catch (BackendException e) {
            if (local.compareAndSet(false, true)) {
                LOG.warning("Redis is unreachable: rate limits are counted on each node alone until it answers again"
                        + " (across N nodes a key may get up to N times its limit meanwhile)");
            }
            return fallback.acquire(keyId, limit);
        }
        if (local.compareAndSet(true, false)) {
            LOG.info("Redis answers again: rate limits are shared by every node again");
        }
        Decision decision = new Decision(number(taken, 0) == 1, number(taken, 1), millis(number(taken, 2)), millis(number(taken, 3)));
        fallback.sync(keyId, limit, decision.remaining());
        return decision;
    }

    String bucketKey(UUID keyId) {
        return namespace + "rl:" + keyId;
    }

    private static long number(List<Object> values, int index) {
        return ((Number) values.get(index)).longValue();
    }

    /** Microseconds, rounded up to milliseconds. */
    private static long millis(long us) {
        return (us + 999) / 1000;
    }
}
