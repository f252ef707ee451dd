package dev.apiauth.backend.jpa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.apiauth.ApiKey;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The backend on the JPA provider's own connection pool, as a plain main outside a server would use it. */
class JpaPooledTest {

    @Test
    void pooledBackendStoresAndFinds() {
        String name = TestDatabases.uniqueName("pooled");
        JpaSchema.create(TestDatabases.h2(name));
        JpaBackend backend = JpaBackend.createPooled(Map.of("jakarta.persistence.jdbc.url", "jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1",
                "jakarta.persistence.jdbc.driver", "org.h2.Driver"));
        try {
            ApiKey key = backend.create(new ApiKey(UUID.randomUUID(), "p", "o", "b".repeat(64), "ak_bbbb", Set.of("x"),
                    Instant.now().truncatedTo(ChronoUnit.MILLIS), null, null, null, Map.of(), 0));
            assertEquals(key, backend.getByHash(key.keyHash()).orElseThrow());
        } finally {
            backend.close();
        }
    }

    @Test
    void urlIsRequired() {
        assertThrows(IllegalArgumentException.class, () -> JpaBackend.createPooled(Map.of()));
    }
}
