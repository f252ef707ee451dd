package dev.apiauth.backend.jpa;

import java.util.Map;

/**
 * The backend contract on PostgreSQL with the near cache on ({@code apiauth.cache.local=true}): a node reads its own
 * writes at once, whatever its memory held.
 */
class JpaPostgresNearCacheContractTest extends JpaPostgresContractTest {

    @Override
    protected Map<String, String> config() {
        return Map.of("apiauth.cache.local", "true");
    }
}
