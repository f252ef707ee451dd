package dev.apiauth.backend.jpa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiauth.ApiAuthConfigurationException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * A table of the release before rate limits (no rate-limit columns, a key in it) on each database: schema=create adds
 * the columns and keeps the row; schema=none refuses to start, naming the upgrade script; twice is harmless.
 */
class JpaSchemaUpgradeTest {

    /** The table as the previous release created it (PostgreSQL/H2 and MySQL types alike). */
    private static final String OLD_TABLE = """
            CREATE TABLE apiauth_keys (id VARCHAR(36) NOT NULL PRIMARY KEY, name VARCHAR(256) NOT NULL,
              owner_id VARCHAR(256) NOT NULL, key_hash VARCHAR(64) NOT NULL, hint VARCHAR(32) NOT NULL, scopes TEXT NOT NULL,
              created_at TIMESTAMP(3) NOT NULL, expires_at TIMESTAMP(3) NULL, last_used_at TIMESTAMP(3) NULL,
              revoked_at TIMESTAMP(3) NULL, metadata TEXT NOT NULL, version BIGINT NOT NULL)""";
    private static final String OLD_ROW = "INSERT INTO apiauth_keys VALUES ('00000000-0000-0000-0000-000000000001', 'old', 'o',"
            + " '" + "a".repeat(64) + "', 'ak_Ab12', '', TIMESTAMP '2025-01-01 00:00:00', NULL, NULL, NULL, '', 3)";

    @Test
    void h2() throws Exception {
        upgrades(TestDatabases.h2(TestDatabases.uniqueName("upgrade")));
    }

    @Test
    void postgres() throws Exception {
        String name = TestDatabases.uniqueName("upgrade");
        try {
            upgrades(TestDatabases.createPostgres(name));
        } finally {
            TestDatabases.dropPostgres(name);
        }
    }

    @Test
    void mariaDb() throws Exception {
        String name = TestDatabases.uniqueName("upgrade");
        try {
            upgrades(TestDatabases.createMariaDb(name));
        } finally {
            TestDatabases.dropMariaDb(name);
        }
    }

    private static void upgrades(DataSource ds) throws Exception {
        String text = textType(ds);
        sql(ds, s -> run(s, OLD_TABLE.replace("TEXT", text)));
        sql(ds, s -> run(s, OLD_ROW));
        ApiAuthConfigurationException refused = assertThrows(ApiAuthConfigurationException.class, () -> JpaSchema.verify(ds));
        assertTrue(refused.getMessage().contains("rate_limit_requests") && refused.getMessage().contains(JpaSchema.UPGRADE_SCRIPT),
                refused.getMessage());
        try (Connection c = ds.getConnection()) { // a node that lost the race: the column appeared after its probe
            c.setAutoCommit(false);
            String dialect = JpaSchema.dialect(c);
            JpaSchema.addColumn(c, dialect, "rate_limit_requests", "INTEGER");
            JpaSchema.addColumn(c, dialect, "rate_limit_requests", "INTEGER");
            assertTrue(JpaSchema.hasColumn(c, "rate_limit_requests"), "the connection is still usable");
        }
        JpaSchema.create(ds);
        JpaSchema.create(ds); // a second node starting: nothing to add
        JpaSchema.verify(ds);
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
             ResultSet row = s.executeQuery("SELECT name, version, rate_limit_requests, rate_limit_seconds FROM apiauth_keys")) {
            assertTrue(row.next());
            assertEquals("old", row.getString(1));
            assertEquals(3, row.getLong(2));
            row.getInt(3);
            assertTrue(row.wasNull(), "an old key has no limit of its own");
            assertFalse(row.next());
        }
    }

    private static String textType(DataSource ds) throws Exception {
        try (Connection c = ds.getConnection()) {
            return JpaSchema.dialect(c).equals("h2") ? "VARCHAR(100000)" : "TEXT";
        }
    }

    private static void run(Statement statement, String sql) {
        try {
            statement.execute(sql);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void sql(DataSource ds, Consumer<Statement> work) throws Exception {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            work.accept(s);
            if (!c.getAutoCommit()) {
                c.commit();
            }
        }
    }
}
