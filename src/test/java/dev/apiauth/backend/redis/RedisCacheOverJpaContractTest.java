package dev.apiauth.backend.redis;

import dev.apiauth.backend.Backend;
import dev.apiauth.backend.BackendContract;
import dev.apiauth.backend.jpa.JpaBackend;
import dev.apiauth.backend.jpa.JpaSchema;
import dev.apiauth.backend.jpa.TestDatabases;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The backend contract on the Redis cache (with near cache) in front of JPA on H2. */
class RedisCacheOverJpaContractTest extends BackendContract {

    private static RedisCacheFixture redis;
    private static JpaBackend jpa;

    @BeforeAll
    static void connect() {
        redis = new RedisCacheFixture();
        DataSource ds = TestDatabases.h2(TestDatabases.uniqueName("cache"));
        JpaSchema.create(ds);
        jpa = JpaBackend.create(ds);
    }

    @AfterAll
    static void disconnect() {
        if (jpa != null) {
            jpa.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @Override
    protected Backend newBackend() {
        return redis.cache(jpa, true);
    }

    @Override
    protected void release(Backend backend) {
        ((RedisCacheBackend) backend).close();
    }
}
