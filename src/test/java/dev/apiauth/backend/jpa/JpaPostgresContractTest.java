package dev.apiauth.backend.jpa;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiauth.ApiKey;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** JPA on the real PostgreSQL (the shipped postgresql.sql), in a database of its own; plus the query plan. */
class JpaPostgresContractTest extends JpaServerContract {

    @Override
    protected DataSource createDatabase(String name) {
        return TestDatabases.createPostgres(name);
    }

    @Override
    protected void dropDatabase(String name) {
        TestDatabases.dropPostgres(name);
    }

    @Override
    protected String dialect() {
        return "postgresql";
    }

    /** The lookup of every uncached validation must be one index scan on the unique hash index. */
    @Test
    void lookupByHashIsAnIndexScan() throws Exception {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        for (int i = 0; i < 2000; i++) {
            backend.create(newKey(owner("plan"), now));
        }
        ApiKey probe = backend.create(newKey(owner("plan"), now));
        StringBuilder plan = new StringBuilder();
        try (Connection c = dataSource().getConnection()) {
            try (Statement s = c.createStatement()) {
                s.execute("ANALYZE apiauth_keys");
            }
            // the statement EclipseLink sends for ApiKeyEntity.byHash, as a prepared statement
            try (PreparedStatement p = c.prepareStatement("EXPLAIN SELECT id, created_at, expires_at, hint, key_hash,"
                    + " last_used_at, metadata, name, owner_id, revoked_at, scopes, version FROM apiauth_keys WHERE (key_hash = ?)")) {
                p.setString(1, probe.keyHash());
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        plan.append(rs.getString(1)).append('\n');
                    }
                }
            }
        }
        System.out.println("PostgreSQL plan of the lookup by hash:\n" + plan);
        assertTrue(plan.toString().contains("Index Scan using apiauth_keys_key_hash"), plan.toString());
    }
}
