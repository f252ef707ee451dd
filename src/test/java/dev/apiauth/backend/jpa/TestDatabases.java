package dev.apiauth.backend.jpa;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.mariadb.jdbc.MariaDbDataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Databases of the tests' own on the real servers of this machine (PostgreSQL 127.0.0.1:5432 with trust
 * auth, MariaDB 127.0.0.1:3306 as root), created per test class and dropped after it. A server that cannot
 * be reached fails the test under CI=true and is skipped, saying so, elsewhere.
 */
public final class TestDatabases {

    public static final String PG_HOST = System.getProperty("apiauth.test.postgres.host", "127.0.0.1");
    public static final int PG_PORT = Integer.getInteger("apiauth.test.postgres.port", 5432);
    public static final String PG_USER = System.getProperty("apiauth.test.postgres.user", "postgres");
    public static final String MARIADB_HOST = System.getProperty("apiauth.test.mariadb.host", "127.0.0.1");
    public static final int MARIADB_PORT = Integer.getInteger("apiauth.test.mariadb.port", 3306);
    public static final String MARIADB_USER = System.getProperty("apiauth.test.mariadb.user", "root");

    private TestDatabases() {
    }

    /** A database name of this test run's own. */
    public static String uniqueName(String purpose) {
        return ("apiauth_" + purpose + "_" + UUID.randomUUID().toString().substring(0, 8)).toLowerCase(Locale.ROOT);
    }

    public static DataSource h2(String name) {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1");
        return ds;
    }

    public static DataSource createPostgres(String name) {
        admin("jdbc:postgresql://" + PG_HOST + ":" + PG_PORT + "/postgres", PG_USER, "PostgreSQL", "CREATE DATABASE " + name);
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setServerNames(new String[] {PG_HOST});
        ds.setPortNumbers(new int[] {PG_PORT});
        ds.setDatabaseName(name);
        ds.setUser(PG_USER);
        return ds;
    }

    public static void dropPostgres(String name) {
        admin("jdbc:postgresql://" + PG_HOST + ":" + PG_PORT + "/postgres", PG_USER, "PostgreSQL",
                "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    }

    public static DataSource createMariaDb(String name) {
        admin("jdbc:mariadb://" + MARIADB_HOST + ":" + MARIADB_PORT + "/", MARIADB_USER, "MariaDB",
                "CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
        try {
            return new MariaDbDataSource("jdbc:mariadb://" + MARIADB_HOST + ":" + MARIADB_PORT + "/" + name + "?user=" + MARIADB_USER);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public static void dropMariaDb(String name) {
        admin("jdbc:mariadb://" + MARIADB_HOST + ":" + MARIADB_PORT + "/", MARIADB_USER, "MariaDB", "DROP DATABASE IF EXISTS " + name);
    }

    /** Runs a script the way a migration tool would: plain JDBC, statement by statement. */
    public static void apply(DataSource ds, String script) {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            for (String sql : JpaSchema.statements(script)) {
                s.execute(sql);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("applying the DDL failed: " + e.getMessage(), e);
        }
    }

    private static void admin(String url, String user, String server, String sql) {
        try (Connection c = DriverManager.getConnection(url, user, ""); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            if (e.getSQLState() == null || !e.getSQLState().startsWith("08")) {
                throw new IllegalStateException(server + ": " + sql + " failed: " + e.getMessage(), e);
            }
            unreachable(server, url, e);
        }
    }

    private static void unreachable(String server, String url, SQLException e) {
        String message = server + " is not reachable at " + url + " (" + e.getMessage() + "); the JPA tests need it."
                + " Start it with the command in shared/STACK.md.";
        if ("true".equals(System.getenv("CI"))) {
            throw new AssertionError(message, e);
        }
        assumeTrue(false, message);
    }
}
