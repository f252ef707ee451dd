package dev.apiauth;

import dev.apiauth.backend.Backend;
import dev.apiauth.backend.jpa.JpaBackend;
import dev.apiauth.backend.jpa.JpaSchema;
import dev.apiauth.backend.jpa.TestDatabases;
import dev.apiauth.backend.memory.MemoryBackend;
import dev.apiauth.backend.redis.RedisBackend;
import dev.apiauth.backend.redis.RedisCacheBackend;
import dev.apiauth.internal.KeyCodec;
import dev.apiauth.internal.KeyHasher;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

/**
 * {@code getByHash} of a stored key (1000 stored) on the real services of this machine: Redis, the Redis cache
 * (hit in Redis; hit in the near cache) and JPA on PostgreSQL; memory for scale. Each run uses a Redis
 * namespace and a PostgreSQL database of its own and removes them afterwards.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = "-Xmx1g")
public class BackendLookupBenchmark {

    @Param({"memory", "redis", "redis-near", "redis-cache", "redis-cache-near", "jpa-postgres"})
    public String backend;

    private Backend store;
    private RedissonClient redis;
    private String namespace;
    private String database;
    private JpaBackend jpa;
    private final String[] hashes = new String[1024];
    private int next;

    @Setup
    public void setUp() {
        namespace = "apiauth-bench:" + UUID.randomUUID().toString().substring(0, 8) + ":";
        store = switch (backend) {
            case "memory" -> new MemoryBackend();
            case "redis" -> new RedisBackend(redis(), namespace);
            case "redis-near" -> new RedisBackend(redis(), namespace, RedisBackend.DEFAULT_EXPIRED_RETENTION,
                    dev.apiauth.backend.NearCacheSettings.on(Duration.ofMinutes(5), Duration.ofSeconds(5)));
            case "redis-cache" -> new RedisCacheBackend(redis(), new MemoryBackend(), namespace, Duration.ofMinutes(5), Duration.ofSeconds(5), false);
            case "redis-cache-near" -> new RedisCacheBackend(redis(), new MemoryBackend(), namespace, Duration.ofMinutes(5), Duration.ofSeconds(5), true);
            case "jpa-postgres" -> jpa();
            default -> throw new IllegalArgumentException(backend);
        };
        KeyCodec codec = new KeyCodec("ak_");
        KeyHasher hasher = KeyHasher.unpeppered();
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        for (int i = 0; i < hashes.length; i++) {
            String key = codec.generate();
            hashes[i] = hasher.hash(key);
            store.create(new ApiKey(UUID.randomUUID(), "k", "bench", hashes[i], KeyCodec.hint(key), Set.of("read"), now, null, null,
                    null, Map.of(), 0));
        }
        for (String hash : hashes) {
            store.getByHash(hash); // fills the caches
        }
    }

    private RedissonClient redis() {
        Config config = new Config();
        config.useSingleServer().setAddress("redis://127.0.0.1:6379");
        redis = Redisson.create(config);
        return redis;
    }

    private Backend jpa() {
        database = TestDatabases.uniqueName("bench");
        DataSource ds = TestDatabases.createPostgres(database);
        JpaSchema.create(ds);
        // pooled, as a server's datasource is (PGSimpleDataSource would open a connection per lookup)
        jpa = JpaBackend.createPooled(Map.of(
                "jakarta.persistence.jdbc.url", "jdbc:postgresql://" + TestDatabases.PG_HOST + ":" + TestDatabases.PG_PORT + "/" + database,
                "jakarta.persistence.jdbc.user", TestDatabases.PG_USER,
                "jakarta.persistence.jdbc.password", "",
                "jakarta.persistence.jdbc.driver", "org.postgresql.Driver"));
        return jpa;
    }

    @TearDown
    public void tearDown() {
        if (store instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception ignored) {
                // best effort
            }
        }
        if (redis != null) {
            redis.getKeys().deleteByPattern(namespace + "*");
            redis.shutdown();
        }
        if (database != null) {
            TestDatabases.dropPostgres(database);
        }
    }

    @Benchmark
    public Optional<ApiKey> getByHash() {
        return store.getByHash(hashes[next++ & (hashes.length - 1)]);
    }
}
