package dev.apiauth.backend.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiauth.ApiAuthConfigurationException;
import dev.apiauth.ApiKey;
import dev.apiauth.LocalRateLimiter;
import dev.apiauth.RateLimit;
import dev.apiauth.backend.BackendContract;
import dev.apiauth.backend.BackendProvider;
import dev.apiauth.backend.NearCacheSettings;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

/**
 * Redis Cluster (three masters, three replicas, of the test's own): a namespace whose keys would spread over slots is
 * refused before anything is written, the default namespace gets a hash tag, invalidations published on the master of
 * the namespace's slot reach a near cache subscribed elsewhere, the shared rate limiter counts across nodes, and a
 * confirmed revocation survives the death of the master that took it.
 */
class RedisClusterTest {

    static RedisTopology cluster;
    static RedissonClient nodeA;
    static RedissonClient nodeB;

    @BeforeAll
    static void start() throws InterruptedException {
        cluster = RedisTopology.start("cluster");
        nodeA = cluster.client();
        nodeB = cluster.client();
    }

    @AfterAll
    static void stop() throws InterruptedException {
        for (RedissonClient client : new RedissonClient[] {nodeA, nodeB}) {
            if (client != null) {
                client.shutdown();
            }
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void hashTagRule() {
        assertEquals("apiauth", RedisClients.hashTag("{apiauth}:"));
        assertEquals("keys", RedisClients.hashTag("apiauth:{keys}:"));
        assertNull(RedisClients.hashTag("apiauth:"));
        assertNull(RedisClients.hashTag("{}apiauth:{x}"), "an empty first tag hashes the whole key, as in Redis");
        assertNull(RedisClients.hashTag("apiauth:{keys"), "unclosed");
        assertEquals("{a", RedisClients.hashTag("{{a}:"), "from the first { to the first } after it");
    }

    @Test
    void aNamespaceWithoutHashTagIsRefusedOnAClusterClient() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new RedisBackend(nodeA, "apiauth:"));
        assertTrue(e.getMessage().contains("hash tag"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new RedisCacheBackend(nodeA, new dev.apiauth.backend.memory.MemoryBackend(),
                "apiauth:", Duration.ofMinutes(5), Duration.ofSeconds(5), false));
        ApiAuthConfigurationException config = assertThrows(ApiAuthConfigurationException.class,
                () -> RedisClients.namespace(context(Map.of("apiauth.redis.namespace", "shop:keys:")), nodeA.getConfig()));
        assertEquals("apiauth.redis.namespace=shop:keys: is invalid for Redis Cluster; expected a namespace with a hash tag,"
                + " so that all of its keys share one slot, e.g. {shop:keys}:", config.getMessage());
    }

    @Test
    void theDefaultNamespaceOnAClusterHasATagAndOnASingleServerIsUnchanged() {
        assertEquals("{apiauth}:", RedisClients.namespace(context(Map.of()), nodeA.getConfig()));
        Config single = new Config();
        single.useSingleServer().setAddress("redis://127.0.0.1:6379");
        assertEquals("apiauth:", RedisClients.namespace(context(Map.of()), single));
        assertEquals("apiauth:{keys}:", RedisClients.namespace(context(Map.of("apiauth.redis.namespace", "apiauth:{keys}:")), nodeA.getConfig()));
    }

    @Test
    void replicasAreWaitedForByDefaultOnSeveralNodesAndNotOnOne() {
        assertEquals(1, RedisClients.replicaAcks(context(Map.of()), nodeA.getConfig()).replicas());
        Config single = new Config();
        single.useSingleServer().setAddress("redis://127.0.0.1:6379");
        assertEquals(0, RedisClients.replicaAcks(context(Map.of()), single).replicas());
        assertEquals(2, RedisClients.replicaAcks(context(Map.of("apiauth.redis.confirm-replicas", "2")), single).replicas());
        ApiAuthConfigurationException e = assertThrows(ApiAuthConfigurationException.class,
                () -> RedisClients.replicaAcks(context(Map.of("apiauth.redis.confirm-replicas", "one")), single));
        assertTrue(e.getMessage().startsWith("apiauth.redis.confirm-replicas=one is invalid; expected auto, or the number"), e.getMessage());
        for (String timeout : new String[] {"PT0.0005S", "PT61S", "0", "soon"}) { // WAIT n 0 would block for ever
            ApiAuthConfigurationException t = assertThrows(ApiAuthConfigurationException.class,
                    () -> RedisClients.replicaAcks(context(Map.of("apiauth.redis.confirm-timeout", timeout)), single));
            assertTrue(t.getMessage().startsWith("apiauth.redis.confirm-timeout=" + timeout + " is invalid"), t.getMessage());
        }
        assertEquals(java.time.Duration.ofMillis(500),
                RedisClients.replicaAcks(context(Map.of("apiauth.redis.confirm-timeout", "PT0.5S")), single).timeout());
    }

    @Test
    void aRevocationOnOneNodeEmptiesTheOtherNodesNearCache() throws Exception {
        String ns = "{near-" + UUID.randomUUID().toString().substring(0, 6) + "}:";
        NearCacheSettings near = NearCacheSettings.on(Duration.ofMinutes(5), Duration.ofSeconds(5));
        try (RedisBackend a = new RedisBackend(nodeA, ns, RedisBackend.DEFAULT_EXPIRED_RETENTION, near);
             RedisBackend b = new RedisBackend(nodeB, ns, RedisBackend.DEFAULT_EXPIRED_RETENTION, near)) {
            awaitLive(a);
            awaitLive(b);
            ApiKey stored = a.create(key("near"));
            long until = System.nanoTime() + 5_000_000_000L;
            do { // the create's invalidation may reach B during its first lookup and keep that answer out
                assertTrue(b.getByHash(stored.keyHash()).isPresent());
            } while (b.nearCache().get(stored.keyHash()) == null && System.nanoTime() < until);
            assertTrue(b.nearCache().get(stored.keyHash()) != null, "node B answers from memory now");
            a.update(stored.withRevokedAt(Instant.now()));
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (b.nearCache().get(stored.keyHash()) != null && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertTrue(b.getByHash(stored.keyHash()).orElseThrow().isRevoked(), "node B sees the revocation");
        }
    }

    @Test
    void theSharedRateLimiterCountsAcrossNodesOnTheCluster() {
        String ns = "{rl-" + UUID.randomUUID().toString().substring(0, 6) + "}:";
        RedisRateLimiter a = new RedisRateLimiter(nodeA, ns, new LocalRateLimiter());
        RedisRateLimiter b = new RedisRateLimiter(nodeB, ns, new LocalRateLimiter());
        UUID id = UUID.randomUUID();
        RateLimit limit = RateLimit.of(5, Duration.ofMinutes(1));
        int allowed = 0;
        for (int i = 0; i < 10; i++) {
            allowed += (i % 2 == 0 ? a : b).acquire(id, limit).allowed() ? 1 : 0;
        }
        assertEquals(5, allowed, "five across both nodes, not five each");
    }

    /**
     * The short failover case of the default build: the cluster promotes a replica and the client finds it. Replication
     * is quick here, so this would pass without waiting for the replica too; RevocationFailoverTest holds replication
     * back to show the difference, and FailoverReliability kills masters ten times under HTTP load.
     */
    @Test
    void aConfirmedRevocationSurvivesTheDeathOfTheMasterThatTookIt() throws Exception {
        String ns = "{fo-" + UUID.randomUUID().toString().substring(0, 6) + "}:";
        RedisBackend a = new RedisBackend(nodeA, ns);
        ApiKey stored = a.create(key("failover"));
        a.update(stored.withRevokedAt(Instant.now())); // returns once a replica holds it
        int killed = cluster.killMaster(ns + "key:x");
        ApiKey after = retry(() -> a.getByHash(stored.keyHash()));
        assertTrue(after.isRevoked(), "the promoted replica has the revocation (master " + killed + " was killed)");
    }

    static ApiKey retry(java.util.function.Supplier<Optional<ApiKey>> lookup) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        RuntimeException last = null;
        while (System.nanoTime() < deadline) {
            try {
                return lookup.get().orElseThrow();
            } catch (RuntimeException e) {
                last = e; // the client has not found the new master yet
                Thread.sleep(100);
            }
        }
        throw last;
    }

    static void awaitLive(RedisBackend backend) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!backend.nearCache().isLive() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertTrue(backend.nearCache().isLive(), "the near cache's pings come back");
    }

    static ApiKey key(String owner) {
        return new ApiKey(UUID.randomUUID(), "k", owner, BackendContract.randomHash(), "ak_Ab12", Set.of("read"),
                Instant.now().truncatedTo(ChronoUnit.MILLIS), null, null, null, Map.of(), 0);
    }

    static BackendProvider.Context context(Map<String, String> config) {
        return BackendProvider.Context.ofConfig(k -> Optional.ofNullable(config.get(k)));
    }
}
