package dev.apiauth.backend.redis;

import dev.apiauth.ApiKey;
import dev.apiauth.backend.NearCacheSettings;
import dev.apiauth.internal.LocalCache;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.redisson.api.RTopic;
import org.redisson.api.RedissonClient;
import org.redisson.api.listener.StatusListener;
import org.redisson.client.codec.StringCodec;

/**
 * A {@link LocalCache} whose invalidations travel on a Redis channel: writers publish the key hash, every node's
 * listener removes it.
 *
 * <p>Its confirmations are pings: several times per staleness bound the node publishes a ping on the same channel,
 * and each of its own pings that comes back confirms the ping's send time (messages on a channel arrive in order, so
 * every invalidation published before that ping has been handled, however late the listener runs). A subscription
 * that broke silently (Redis or the connection down, the channel dropped by a proxy) therefore stops the near cache
 * within the bound ({@code apiauth.cache.local.max-staleness}, 1 s by default), and it is emptied; lookups then go
 * to Redis or the primary. Whenever the subscription is (re)established everything is dropped too.
 *
 * <p>A failover can lose an invalidation without breaking the subscription: the master that ran the write dies before
 * the message left it, and the promoted replica's pings then arrive as before. So a ping is published by a script on
 * the master and carries that master's {@code run_id}; when it changes, the memory is emptied before the ping
 * confirms anything. Until then the bound holds: the old master's last ping that arrived was sent before any message
 * it lost.
 */
final class NearCache implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(NearCache.class.getName());
    /** The channel's name after the namespace: writers of every Redis backend publish the hashes they change on it. */
    static final String CHANNEL = "invalidations";
    /** The default staleness bound. */
    static final Duration DEFAULT_MAX_STALENESS = NearCacheSettings.DEFAULT_MAX_STALENESS;
    private static final String PING = "ping:";

    private final LocalCache memory;
    private final LongSupplier ticker;
    private final long livenessNanos;
    private final RTopic topic;
    /** The listeners' ids once subscribed (-1 before): subscribing is retried in the background until Redis answers. */
    private volatile int messageListener = -1;
    private volatile int statusListener = -1;
    private volatile boolean closed;
    /** This node's pings carry this id, so it recognises its own. */
    private final String pingId = PING + java.util.UUID.randomUUID() + ":";
    private final AtomicLong pingsReceived = new AtomicLong();
    private final java.util.concurrent.ScheduledExecutorService heartbeat;
    private final org.redisson.api.RScript script;
    private final String channel;
    /** The run_id of the master this node's last ping came through (null before the first). */
    private volatile String master;
    /*
     * Publishes ARGV[1] and the master's run_id on channel KEYS[1], declared as a key so that a cluster runs it on the
     * master of the namespace's slot, where the writes and their messages are.
     */
    private static final String PING_SCRIPT = """
            local ok, info = pcall(redis.call, 'info', 'server')
            local id = ok and string.match(info, 'run_id:(%w+)') or ''
            redis.call('publish', KEYS[1], ARGV[1] .. ':' .. id)
            return 1""";
    /** Said once: pings without a run_id (INFO refused by an ACL, or a server that has none) cannot tell a failover. */
    private final java.util.concurrent.atomic.AtomicBoolean warnedNoRunId = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile long lastMasterChangeLog = Long.MIN_VALUE;

    NearCache(RedissonClient redis, String channel, Duration ttl, int maxSize, Duration maxStaleness) {
        this(redis, channel, ttl, maxSize, maxStaleness, System::nanoTime, true);
    }

    /**
     * With the ticker entries and pings age by (tests move it instead of sleeping); without {@code scheduleHeartbeat}
     * pings are sent only by {@link #heartbeat()} (tests).
     */
    NearCache(RedissonClient redis, String channel, Duration ttl, int maxSize, Duration maxStaleness, LongSupplier ticker,
              boolean scheduleHeartbeat) {
        this.ticker = ticker;
        this.livenessNanos = maxStaleness.toNanos();
        this.memory = new LocalCache(ttl, maxSize, maxStaleness, ticker);
        this.topic = redis.getTopic(channel, StringCodec.INSTANCE);
        this.script = redis.getScript(StringCodec.INSTANCE);
        this.channel = channel;
        // in production the heartbeat's first run subscribes, off the deploying thread (Redis may be down now);
        // tests without a scheduled heartbeat subscribe here
        if (!scheduleHeartbeat && !subscribe()) {
            throw new IllegalStateException("the near cache could not subscribe");
        }
        if (scheduleHeartbeat) {
            heartbeat = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(task -> {
                Thread thread = new Thread(task, "apiauth-near-cache-heartbeat");
                thread.setDaemon(true);
                thread.setContextClassLoader(null); // holds no application's class loader after undeploy
                return thread;
            });
            // three pings per bound: one lost or late ping does not stop a healthy cache
            heartbeat.scheduleWithFixedDelay(this::heartbeat, 0, Math.max(1, livenessNanos / 3_000_000L), java.util.concurrent.TimeUnit.MILLISECONDS);
        } else {
            heartbeat = null;
        }
    }

    /**
     * Subscribes to the invalidation channel; false when Redis does not answer (the near cache then does not serve,
     * and the heartbeat tries again). An application starting while Redis is down therefore starts, and its near
     * cache joins once Redis is reachable.
     */
    private synchronized boolean subscribe() {
        if (closed) {
            return false;
        }
        if (messageListener != -1 && statusListener != -1) {
            return true;
        }
        try {
            if (messageListener == -1) { // recorded at once, so close() removes it whatever happens next
                messageListener = topic.addListener(String.class, (ch, text) -> {
                    if (text.startsWith(PING)) {
                        if (text.startsWith(pingId)) {
                            // a new master may have lost messages of the old one: empty first, then confirm
                            String from = text.substring(text.lastIndexOf(':') + 1);
                            if (master != null && !master.equals(from)) {
                                memory.clear();
                                logMasterChange();
                            }
                            if (from.isEmpty() && warnedNoRunId.compareAndSet(false, true)) {
                                LOG.warning("the near cache cannot read the Redis master's run_id (INFO refused to this user?):"
                                        + " a failover that loses an invalidation goes unnoticed until the entry's ttl;"
                                        + " allow INFO (+info) for the library's Redis user");
                            }
                            master = from;
                            // the ping's own send time: every message published before it has been handled now, so a
                            // listener running late cannot stretch the bound (its pings arrive late too); back after a
                            // gap, the memory is emptied first, whatever Redisson said
                            memory.confirm(sentAt(text));
                            pingsReceived.incrementAndGet();
                        }
                        return;
                    }
                    memory.invalidate(text);
                });
            }
            if (statusListener == -1) {
                statusListener = topic.addListener(new StatusListener() {
                    @Override
                    public void onSubscribe(String ch) {
                        clear();
                    }

                    @Override
                    public void onUnsubscribe(String ch) {
                        memory.unconfirm();
                    }
                });
            }
            clear(); // nothing cached before the subscription counts
            return true;
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "near cache not subscribed yet (Redis unreachable); retrying", e);
            return false;
        }
    }

    /** At most once a minute: behind a proxy whose nodes differ every ping could say it. */
    private void logMasterChange() {
        long now = System.nanoTime();
        if (lastMasterChangeLog == Long.MIN_VALUE || now - lastMasterChangeLog > 60_000_000_000L) {
            lastMasterChangeLog = now;
            LOG.info("the Redis master changed (failover or restart): near cache emptied");
        }
    }

    /** Publishes a ping this node's listener will recognise; a failure only means no fresh ping arrives. */
    void heartbeat() {
        if (!subscribe()) {
            return;
        }
        try {
            script.eval(org.redisson.api.RScript.Mode.READ_WRITE, PING_SCRIPT, org.redisson.api.RScript.ReturnType.LONG,
                    java.util.List.of(channel), pingId + ticker.getAsLong());
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "near cache heartbeat not published", e);
        }
    }

    /** Whether invalidations are known to arrive: this node's own ping came back within the staleness bound. */
    boolean isLive() {
        return memory.isLive();
    }

    /** The prefix of this node's pings (tests forge one through another master). */
    String pingId() {
        return pingId;
    }

    long pingsReceived() {
        return pingsReceived.get();
    }

    /** The cached answer (a record, or empty for "no such key"), or null when not cached, too old, or not live. */
    Optional<ApiKey> get(String keyHash) {
        return memory.get(keyHash);
    }

    /** Taken before reading Redis or the primary, handed to {@link #put}. */
    long generation() {
        return memory.generation();
    }

    /** Caches what a lookup found, unless an invalidation or clear arrived since it started ({@code generation}). */
    void put(String keyHash, Optional<ApiKey> key, Duration lifetime, long generationBefore) {
        memory.put(keyHash, key, lifetime, generationBefore);
    }

    /** The send time a ping of this node carries (this node's ticker), or one that makes it stale when unreadable. */
    private long sentAt(String ping) {
        try {
            String rest = ping.substring(pingId.length());
            return Long.parseLong(rest.substring(0, rest.indexOf(':')));
        } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
            return ticker.getAsLong() - livenessNanos;
        }
    }

    /** Drops the entry on this node only (the writer's own, before its write's message comes back). */
    void invalidateHere(String keyHash) {
        memory.invalidate(keyHash);
    }

    /** Removes the entry here and tells every other node to; throws when Redis cannot carry the message. */
    void invalidateEverywhere(String keyHash) {
        invalidateHere(keyHash);
        topic.publish(keyHash);
    }

    /** The same, the publication without waiting for Redis (from a failure path, where Redis may not answer). */
    void invalidateEverywhereAsync(String keyHash) {
        invalidateHere(keyHash);
        topic.publishAsync(keyHash);
    }

    void clear() {
        memory.clear();
    }

    /** Entries held, known and absent (approximate; for tests and diagnostics). */
    long size() {
        return memory.size();
    }

    @Override
    public void close() {
        closed = true;
        if (heartbeat != null) {
            heartbeat.shutdownNow();
        }
        try {
            synchronized (this) {
                if (messageListener != -1) {
                    topic.removeListener(messageListener);
                }
                if (statusListener != -1) {
                    topic.removeListener(statusListener);
                }
            }
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "could not unsubscribe the near cache", e);
        }
        memory.unconfirm();
    }
}
