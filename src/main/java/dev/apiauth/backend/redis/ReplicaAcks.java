package dev.apiauth.backend.redis;

import dev.apiauth.backend.UnconfirmedWriteException;
import dev.apiauth.internal.ConfigReader;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.redisson.api.BatchOptions;
import org.redisson.api.BatchResult;
import org.redisson.api.RBatch;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.Config;

/**
 * How many replicas must hold a write that takes access away (a revocation, a shorter expiry, fewer scopes, a
 * deletion) before it is acknowledged, and how long to wait for them. Redis replicates asynchronously: a master that
 * acknowledged a revocation and died before sending it on leaves a promoted replica without it, and the revoked key
 * works again. So such a write is followed, on the same connection, by {@code WAIT replicas timeout}; fewer replicas
 * than asked is an {@link UnconfirmedWriteException}, which the management API answers with 503.
 *
 * <p>{@code apiauth.redis.confirm-replicas}: {@code auto} (the default) asks one replica of a client configured for
 * several nodes (sentinel, cluster, master and replicas) and none of a single-server client; or a number. With
 * {@code 0} nothing waits, and a failover can undo an acknowledged revocation.
 */
record ReplicaAcks(int replicas, Duration timeout) {

    static final String REPLICAS = "apiauth.redis.confirm-replicas";
    static final String TIMEOUT = "apiauth.redis.confirm-timeout";
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);
    static final Duration MAX_TIMEOUT = Duration.ofSeconds(60);
    static final ReplicaAcks NONE = new ReplicaAcks(0, DEFAULT_TIMEOUT);
    /** What a batch that waits may take beyond the wait itself before the client gives up on it. */
    private static final long RESPONSE_MARGIN_MILLIS = 1000;

    ReplicaAcks {
        if (replicas < 0) {
            throw new IllegalArgumentException("replicas must not be negative: " + replicas);
        }
        if (timeout == null || timeout.toMillis() < 1 || timeout.compareTo(MAX_TIMEOUT) > 0) {
            throw new IllegalArgumentException("timeout must be from 1 ms to 60 s: " + timeout);
        }
    }

    /** One replica for a client of several nodes, none for a single server. */
    static ReplicaAcks auto(Config client) {
        return new ReplicaAcks(client.isSingleConfig() ? 0 : 1, DEFAULT_TIMEOUT);
    }

    /** From config; problems go to {@code in}. */
    static ReplicaAcks read(ConfigReader in, Config client) {
        String value = in.matching(REPLICAS, "auto", Pattern.compile("auto|[0-9]"), "auto, or the number of replicas (0 to 9)"
                + " that must hold a revocation before it is acknowledged", v -> v.strip().toLowerCase(java.util.Locale.ROOT));
        Duration timeout = in.positiveDuration(TIMEOUT, DEFAULT_TIMEOUT);
        if (timeout.toMillis() < 1 || timeout.compareTo(MAX_TIMEOUT) > 0) { // WAIT n 0 would block for ever
            in.problem(TIMEOUT, in.optionalString(TIMEOUT), "a duration from 1 ms to 60 s (PT0.5S, PT2S)");
            timeout = DEFAULT_TIMEOUT;
        }
        if (value.equals("auto")) {
            return new ReplicaAcks(auto(client).replicas(), timeout);
        }
        return new ReplicaAcks(Integer.parseInt(value), timeout);
    }

    @Override
    public String toString() {
        return replicas == 0 ? "revocations not waited on replicas" : "revocations confirmed by " + replicas + " replica(s) within "
                + timeout.toMillis() + " ms";
    }

    boolean enabled() {
        return replicas > 0;
    }

    /**
     * Runs {@code script} and then {@code WAIT} in one batch, so on one connection to the node that ran the script
     * (a failover in between fails the batch rather than confirming on the new master what the old one took): the
     * script's answer and how many replicas hold it. Check the count with {@link #require}, outside any circuit
     * breaker: a missing replica is not a Redis failure.
     */
    <T> Confirmed<T> eval(RedissonClient redis, String script, RScript.ReturnType type, List<Object> keys, Object... args) {
        RBatch batch = redis.createBatch(BatchOptions.defaults().sync(replicas, timeout)
                .responseTimeout(timeout.toMillis() + RESPONSE_MARGIN_MILLIS, TimeUnit.MILLISECONDS)); // WAIT blocks up to timeout
        batch.getScript(StringCodec.INSTANCE).evalAsync(RScript.Mode.READ_WRITE, script, type, keys, args);
        BatchResult<?> result = batch.execute();
        @SuppressWarnings("unchecked")
        T answer = (T) result.getResponses().get(0);
        return new Confirmed<>(answer, result.getSyncedSlaves());
    }

    /** A script's answer and the number of replicas that confirmed it. */
    record Confirmed<T>(T answer, int replicas) {
    }

    /**
     * @param applied whether the change is in effect meanwhile (on the master), or nothing was changed
     * @throws UnconfirmedWriteException when fewer than {@link #replicas} replicas confirmed ({@code what} names the
     *                                   change, never a key)
     */
    void require(int confirmed, String what, boolean applied) {
        if (confirmed < replicas) {
            throw new UnconfirmedWriteException(what + (applied ? " is in effect on the Redis master, but " : " was not made: ")
                    + confirmed + " of the " + replicas + " replica(s) required (" + REPLICAS + ") confirmed it within "
                    + timeout.toMillis() + " ms" + (applied ? ", so a failover could undo it" : "") + "; retry the same call"
                    + (confirmed == 0 ? " (a topology without replicas: set " + REPLICAS + "=0)" : ""), applied);
        }
    }
}
