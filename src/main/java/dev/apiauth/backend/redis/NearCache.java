package dev.apiauth.backend.redis;

import dev.apiauth.ApiKey;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import org.redisson.api.RTopic;
import org.redisson.api.RedissonClient;
import org.redisson.api.listener.StatusListener;
import org.redisson.client.codec.StringCodec;

/**
 * Records (decoded, ready to check) in this JVM's memory, bounded in size and age, dropped on every node when
 * any node writes the key: writers publish the key hash on a Redis channel, every node's listener removes it.
 *
 * <p>It answers only while its subscription is confirmed, explicitly: several times per staleness bound the node
 * publishes a ping on the same channel, and the cache serves only while the last of its own pings that came back was
 * sent less than the bound ({@code apiauth.cache.local.max-staleness}, 1 s by default) ago: messages on a channel
 * arrive in order, so every invalidation published before that ping has been handled, however late the listener runs. A subscription that broke silently (Redis or
 * the connection down, the channel dropped by a proxy) therefore stops the near cache within that bound, and it is
 * emptied, since invalidations may have been missed; lookups then go to Redis or the primary. Whenever the
 * subscription is (re)established everything is dropped too.
 *
 * <p>The maps are Caffeine caches: a size bound with W-TinyLFU eviction (frequently used keys stay when the cache is
 * full, a scan of new keys does not flush them) and a per-entry lifetime. Known keys and "no such key" answers are
 * bounded separately, so a flood of unknown keys cannot evict known ones. Maintenance runs on the calling threads
 * (no pool of the server's is borrowed, nothing runs after close).
 */
final class NearCache implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(NearCache.class.getName());
    /** The channel's name after the namespace: writers of every Redis backend publish the hashes they change on it. */
    static final String CHANNEL = "invalidations";
    /** The default staleness bound. */
    static final Duration DEFAULT_MAX_STALENESS = Duration.ofSeconds(1);
    private static final String PING = "ping:";

    private record Entry(Optional<ApiKey> key, long lifetimeNanos) {
    }

    /** Known keys. */
    private final Cache<String, Entry> entries;
    /** "No such key" answers, bounded on their own: anyone can mint well-formed unknown keys, they never evict known ones. */
    private final Cache<String, Entry> absent;
    /** Bumped by every invalidation and clear: a lookup that overlapped one does not cache what it read. */
    private final AtomicLong generation = new AtomicLong();
    private final long ttlNanos;
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
    private volatile long lastPingNanos;
    private volatile boolean pinged;
    private final java.util.concurrent.ScheduledExecutorService heartbeat;

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
        this.ttlNanos = ttl.toNanos();
        this.livenessNanos = maxStaleness.toNanos();
        this.entries = cache(maxSize, ticker);
        this.absent = cache(maxSize, ticker);
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
            // three pings per bound: one lost or late ping does not stop a healthy cache
            heartbeat.scheduleWithFixedDelay(this::heartbeat, 0, Math.max(1, livenessNanos / 3_000_000L), java.util.concurrent.TimeUnit.MILLISECONDS);
        } else {
            heartbeat = null;
        }
    }

    private static Cache<String, Entry> cache(int maxSize, LongSupplier ticker) {
        return Caffeine.newBuilder().maximumSize(maxSize).ticker(ticker::getAsLong).executor(Runnable::run)
                .expireAfter(new Expiry<String, Entry>() {
                    @Override
                    public long expireAfterCreate(String key, Entry entry, long now) {
                        return entry.lifetimeNanos;
                    }

                    @Override
                    public long expireAfterUpdate(String key, Entry entry, long now, long remaining) {
                        return entry.lifetimeNanos;
                    }

                    @Override
                    public long expireAfterRead(String key, Entry entry, long now, long remaining) {
                        return remaining;
                    }
                }).build();
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
                            long sent = sentAt(text);
                            if (!isLive()) {
                                clear(); // back after a gap: invalidations of that gap may be lost, whatever Redisson said
                            }
                            // the ping's own send time: every message published before it has been handled now, so a
                            // listener running late cannot stretch the bound (its pings arrive late too)
                            if (!pinged || sent - lastPingNanos > 0) {
                                lastPingNanos = sent;
                            }
                            pinged = true;
                            pingsReceived.incrementAndGet();
                        }
                        return;
                    }
                    generation.incrementAndGet(); // first: a put that has not checked yet will not insert
                    entries.invalidate(text);     // then: a put that checked before waits for this key's entry and is removed here
                    absent.invalidate(text);
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

    /** Whether invalidations are known to arrive: this node's own ping came back within the staleness bound. */
    boolean isLive() {
        return pinged && ticker.getAsLong() - lastPingNanos < livenessNanos;
    }

    long pingsReceived() {
        return pingsReceived.get();
    }

    private boolean serving() {
        if (isLive()) {
            return true;
        }
        if (entries.estimatedSize() > 0 || absent.estimatedSize() > 0) {
            clear(); // invalidations may have been missed while the subscription was not confirmed
        }
        return false;
    }

    /** The cached answer (a record, or empty for "no such key"), or null when not cached or too old. */
    Optional<ApiKey> get(String keyHash) {
        if (!serving()) {
            return null;
        }
        Entry entry = entries.getIfPresent(keyHash);
        if (entry == null) {
            entry = absent.getIfPresent(keyHash);
        }
        return entry == null ? null : entry.key;
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
        if (generation.get() != generationBefore || !isLive()) {
            return;
        }
        Entry entry = new Entry(key, Math.min(ttlNanos, lifetime.toNanos()));
        Cache<String, Entry> cache = key.isPresent() ? entries : absent;
        cache.asMap().compute(keyHash, (k, old) -> generation.get() == generationBefore ? entry : old);
        if (generation.get() != generationBefore) {
            cache.asMap().remove(keyHash, entry); // a clear() walking the map may have passed this entry while it was inserted
        }
    }

    /** The send time a ping of this node carries (this node's ticker), or one that makes it stale when unreadable. */
    private long sentAt(String ping) {
        try {
            return Long.parseLong(ping.substring(pingId.length()));
        } catch (NumberFormatException e) {
            return ticker.getAsLong() - livenessNanos;
        }
    }

    /** Drops the entry on this node only (the writer's own, before its write's message comes back). */
    void invalidateHere(String keyHash) {
        generation.incrementAndGet();
        entries.invalidate(keyHash);
        absent.invalidate(keyHash);
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
        generation.incrementAndGet();
        entries.invalidateAll();
        absent.invalidateAll();
    }

    /** Entries held, known and absent (approximate; for tests and diagnostics). */
    long size() {
        return entries.estimatedSize() + absent.estimatedSize();
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
        entries.invalidateAll();
        absent.invalidateAll();
    }
}
