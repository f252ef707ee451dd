package dev.apiauth.backend.redis;

import dev.apiauth.ApiKey;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.redisson.api.RTopic;
import org.redisson.api.RedissonClient;
import org.redisson.api.listener.StatusListener;
import org.redisson.client.codec.StringCodec;

/**
 * Records (decoded, ready to check) in this JVM's memory, bounded in size and age, dropped on every node when
 * any node writes the key: writers publish the key hash on a Redis channel, every node's listener removes it.
 *
 * <p>It answers only while its subscription is confirmed, explicitly: every {@value #HEARTBEAT_MILLIS} ms the node
 * publishes a ping on the same channel, and the cache serves only while its own last ping came back less than
 * {@value #LIVENESS_MILLIS} ms ago. A subscription that broke silently (Redis or the connection down, the channel
 * dropped by a proxy) therefore stops the near cache within that bound, and it is emptied, since invalidations may
 * have been missed; lookups then go to Redis or the primary. Whenever the subscription is (re)established
 * everything is dropped too.
 */
final class NearCache implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(NearCache.class.getName());
    static final long HEARTBEAT_MILLIS = 500;
    static final long LIVENESS_MILLIS = 1500;
    private static final String PING = "ping:";

    private record Entry(Optional<ApiKey> key, long expiresAtNanos) {
    }

    /** Known keys. */
    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
    /** "No such key" answers, bounded on their own: anyone can mint well-formed unknown keys, they never evict known ones. */
    private final ConcurrentHashMap<String, Entry> absent = new ConcurrentHashMap<>();
    /** Bumped by every invalidation and clear: a lookup that overlapped one does not cache what it read. */
    private final AtomicLong generation = new AtomicLong();
    private final long ttlNanos;
    private final LongSupplier ticker;
    private final int maxSize;
    private final RTopic topic;
    /** The listeners' ids once subscribed (-1 before): subscribing is retried in the background until Redis answers. */
    private volatile int messageListener = -1;
    private volatile int statusListener = -1;
    private volatile boolean closed;
    /** This node's pings carry this id, so it recognises its own. */
    private final String pingId = PING + java.util.UUID.randomUUID() + ":";
    private final AtomicLong pingsReceived = new AtomicLong();
    private volatile long lastPingNanos;
    private volatile boolean pinged;
    private final java.util.concurrent.ScheduledExecutorService heartbeat;

    NearCache(RedissonClient redis, String channel, Duration ttl, int maxSize) {
        this(redis, channel, ttl, maxSize, System::nanoTime, true);
    }

    /**
     * With the ticker entries and pings age by (tests move it instead of sleeping); without {@code scheduleHeartbeat}
     * pings are sent only by {@link #heartbeat()} (tests).
     */
    NearCache(RedissonClient redis, String channel, Duration ttl, int maxSize, LongSupplier ticker, boolean scheduleHeartbeat) {
        this.ticker = ticker;
        this.ttlNanos = ttl.toNanos();
        this.maxSize = maxSize;
        this.topic = redis.getTopic(channel, StringCodec.INSTANCE);
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
            heartbeat.scheduleWithFixedDelay(this::heartbeat, 0, HEARTBEAT_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS);
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
                            lastPingNanos = ticker.getAsLong();
                            pinged = true;
                            pingsReceived.incrementAndGet();
                        }
                        return;
                    }
                    generation.incrementAndGet(); // first: a put that has not checked yet will not insert
                    entries.remove(text);         // then: a put that checked before waits for this key's bin and is removed here
                    absent.remove(text);
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
                        pinged = false;
                        clear();
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

    /** Publishes a ping this node's listener will recognise; a failure only means no fresh ping arrives. */
    void heartbeat() {
        if (!subscribe()) {
            return;
        }
        try {
            topic.publish(pingId + ticker.getAsLong());
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "near cache heartbeat not published", e);
        }
    }

    /** Whether invalidations are known to arrive: this node's own ping came back within the liveness bound. */
    boolean isLive() {
        return pinged && ticker.getAsLong() - lastPingNanos < LIVENESS_MILLIS * 1_000_000L;
    }

    long pingsReceived() {
        return pingsReceived.get();
    }

    private boolean serving() {
        if (isLive()) {
            return true;
        }
        if (!entries.isEmpty() || !absent.isEmpty()) {
            clear(); // invalidations may have been missed while the subscription was not confirmed
        }
        return false;
    }

    /** The cached answer (a record, or empty for "no such key"), or null when not cached or too old. */
    Optional<ApiKey> get(String keyHash) {
        if (!serving()) {
            return null;
        }
        Entry entry = entries.get(keyHash);
        if (entry == null) {
            entry = absent.get(keyHash);
            if (entry == null) {
                return null;
            }
        }
        if (ticker.getAsLong() - entry.expiresAtNanos >= 0) {
            entries.remove(keyHash, entry);
            absent.remove(keyHash, entry);
            return null;
        }
        return entry.key;
    }

    /** Taken before reading Redis or the primary, handed to {@link #put}. */
    long generation() {
        return generation.get();
    }

    /**
     * Caches what a lookup found, unless an invalidation or clear arrived since it started ({@code generation}).
     * The check and the insertion are one atomic step on the key's entry, so an invalidation cannot slip between
     * them: it bumps the generation before it removes the key.
     */
    void put(String keyHash, Optional<ApiKey> key, Duration lifetime, long generationBefore) {
        ConcurrentHashMap<String, Entry> map = key.isPresent() ? entries : absent;
        if (generation.get() != generationBefore || !isLive()) {
            return;
        }
        if (map.size() >= maxSize) {
            makeRoom(map);
        }
        Entry entry = new Entry(key, ticker.getAsLong() + Math.min(ttlNanos, lifetime.toNanos()));
        map.compute(keyHash, (k, old) -> generation.get() == generationBefore ? entry : old);
    }

    /** Drops expired entries, then arbitrary ones down to 90% of the bound; never the whole map. */
    private void makeRoom(ConcurrentHashMap<String, Entry> map) {
        long now = ticker.getAsLong();
        map.values().removeIf(e -> now - e.expiresAtNanos >= 0);
        int excess = map.size() - maxSize * 9 / 10;
        for (var it = map.keySet().iterator(); excess > 0 && it.hasNext(); excess--) {
            it.next();
            it.remove();
        }
    }

    /** Removes the entry here and tells every other node to; throws when Redis cannot carry the message. */
    void invalidateEverywhere(String keyHash) {
        generation.incrementAndGet();
        entries.remove(keyHash);
        absent.remove(keyHash);
        topic.publish(keyHash);
    }

    /** The same, the publication without waiting for Redis (from a failure path, where Redis may not answer). */
    void invalidateEverywhereAsync(String keyHash) {
        generation.incrementAndGet();
        entries.remove(keyHash);
        absent.remove(keyHash);
        topic.publishAsync(keyHash);
    }

    void clear() {
        generation.incrementAndGet();
        entries.clear();
        absent.clear();
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
        entries.clear();
        absent.clear();
    }
}
