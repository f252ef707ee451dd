package dev.apiauth.backend.jpa;

import dev.apiauth.ApiAuthConfigurationException;
import dev.apiauth.backend.BackendException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import javax.sql.DataSource;

/**
 * The table and indexes of {@link ApiKeyEntity}, and the change table the near caches follow
 * ({@code apiauth_key_changes}, see {@link JpaChangeFeed}), from the DDL scripts shipped in the jar
 * ({@code META-INF/apiauth/ddl/postgresql.sql}, {@code h2.sql}, {@code mysql.sql} for MySQL and MariaDB).
 * The same scripts serve Flyway or Liquibase users; every statement is {@code IF NOT EXISTS}, so applying
 * them again leaves existing data alone.
 */
public final class JpaSchema {

    public static final String TABLE = "apiauth_keys";
    /** The change feed the near caches follow (see {@link JpaChangeFeed}). */
    public static final String CHANGES = JpaChangeFeed.TABLE;

    private JpaSchema() {
    }

    /** Columns added after the first release, with the type {@code ALTER TABLE ... ADD COLUMN} gives them. */
    static final List<String[]> ADDED_COLUMNS = List.of(
            new String[] {"rate_limit_requests", "INTEGER"}, new String[] {"rate_limit_seconds", "BIGINT"});
    static final String UPGRADE_SCRIPT = "META-INF/apiauth/ddl/upgrade-rate-limits.sql";

    /** Creates the table and indexes when missing, and adds columns a table of an earlier release lacks. */
    public static void create(DataSource dataSource) {
        try (Connection connection = dataSource.getConnection()) {
            String script = script(dialect(connection));
            try (Statement statement = connection.createStatement()) {
                for (String sql : statements(script)) {
                    statement.execute(sql);
                }
            }
            if (!connection.getAutoCommit()) {
                connection.commit();
            }
            String dialect = dialect(connection);
            for (String[] column : ADDED_COLUMNS) {
                if (!hasColumn(connection, column[0])) {
                    addColumn(connection, dialect, column[0], column[1]);
                }
            }
        } catch (SQLException e) {
            throw new BackendException("could not create table " + TABLE + ": " + e.getMessage(), e);
        }
    }

    /**
     * Adds a column; nodes starting together may race for it, so where the database can say so the statement is
     * {@code IF NOT EXISTS} (PostgreSQL, H2), and elsewhere (MySQL, MariaDB) a failure is only one when the column
     * is still missing afterwards (another node added it meanwhile).
     */
    static void addColumn(Connection connection, String dialect, String column, String type) throws SQLException {
        String ifMissing = dialect.equals("mysql") ? "" : "IF NOT EXISTS ";
        try (Statement statement = connection.createStatement()) {
            statement.execute("ALTER TABLE " + TABLE + " ADD COLUMN " + ifMissing + column + " " + type);
            if (!connection.getAutoCommit()) {
                connection.commit();
            }
        } catch (SQLException e) {
            if (!connection.getAutoCommit()) {
                connection.rollback(); // a failed statement aborts the transaction on PostgreSQL
            }
            if (!hasColumn(connection, column)) {
                throw e;
            }
        }
    }

    /**
     * Whether the table has {@code column}. Without auto-commit the probe's transaction is ended either way, so
     * the connection stays usable and holds no lock that would make another node's {@code ALTER TABLE} wait.
     */
    static boolean hasColumn(Connection connection, String column) throws SQLException {
        return answers(connection, "SELECT " + column + " FROM " + TABLE + " WHERE 1 = 0");
    }

    static boolean hasTable(Connection connection, String table) throws SQLException {
        return answers(connection, "SELECT 1 FROM " + table + " WHERE 1 = 0");
    }

    /** Whether the probe {@code query} runs; its transaction (without auto-commit) is ended either way. */
    private static boolean answers(Connection connection, String query) throws SQLException {
        boolean found;
        try (Statement statement = connection.createStatement()) {
            statement.executeQuery(query).close();
            found = true;
        } catch (SQLException missing) {
            found = false;
        }
        if (!connection.getAutoCommit()) {
            connection.rollback();
        }
        return found;
    }

    /** Fails with a message naming the script to apply when the table is missing. */
    public static void verify(DataSource dataSource) {
        verify(dataSource, false);
    }

    /**
     * The same, and the change table when a near cache needs it ({@code requireChangeFeed}); without one, the backend
     * warns about its absence (this node's writes then reach no other node's near cache before their entries expire).
     */
    static void verify(DataSource dataSource, boolean requireChangeFeed) {
        try (Connection connection = dataSource.getConnection()) {
            String dialect = dialect(connection);
            try (Statement statement = connection.createStatement()) {
                statement.executeQuery("SELECT id, key_hash, owner_id, version FROM " + TABLE + " WHERE 1 = 0").close();
            } catch (SQLException missing) {
                throw new ApiAuthConfigurationException("apiauth.jpa.schema=none but table " + TABLE + " is missing or"
                        + " incomplete (" + missing.getMessage() + "); apply META-INF/apiauth/ddl/" + dialect
                        + ".sql from the jakarta-api-auth jar, or set apiauth.jpa.schema=create");
            }
            for (String[] column : ADDED_COLUMNS) {
                if (!hasColumn(connection, column[0])) {
                    throw new ApiAuthConfigurationException("apiauth.jpa.schema=none but table " + TABLE + " has no column "
                            + column[0] + " (it was created by an earlier release); apply " + UPGRADE_SCRIPT
                            + " from the jakarta-api-auth jar, or set apiauth.jpa.schema=create");
                }
            }
            if (requireChangeFeed && !hasTable(connection, CHANGES)) { // without a near cache the backend warns itself
                String fix = "apply META-INF/apiauth/ddl/" + dialect + ".sql from the jakarta-api-auth jar again (every statement is"
                        + " IF NOT EXISTS; it adds the table), or set apiauth.jpa.schema=create";
                throw new ApiAuthConfigurationException("apiauth.cache.local=true on apiauth.backend=jpa needs the change table "
                        + CHANGES + ", which is missing (the schema was set up by an earlier release, and"
                        + " apiauth.jpa.schema=none); " + fix);
            }
        } catch (SQLException e) {
            throw new BackendException("could not reach the API key database: " + e.getMessage(), e);
        }
    }

    /** {@code postgresql}, {@code h2} or {@code mysql} (also MariaDB), from the connection's metadata. */
    static String dialect(Connection connection) throws SQLException {
        String product = connection.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT);
        if (product.contains("postgres")) {
            return "postgresql";
        }
        if (product.contains("h2")) {
            return "h2";
        }
        if (product.contains("mysql") || product.contains("mariadb")) {
            return "mysql";
        }
        throw new ApiAuthConfigurationException("the API key database is " + product + ", for which jakarta-api-auth ships"
                + " no DDL; create table " + TABLE + " yourself (see META-INF/apiauth/ddl/postgresql.sql) and set"
                + " apiauth.jpa.schema=none");
    }

    static String script(String dialect) {
        String path = "/META-INF/apiauth/ddl/" + dialect + ".sql";
        try (InputStream in = JpaSchema.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException(path + " is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + path, e);
        }
    }

    /** The statements of a script: split at ';', comments ({@code --} lines) dropped. */
    static List<String> statements(String script) {
        StringBuilder withoutComments = new StringBuilder();
        for (String line : script.split("\n")) {
            if (!line.strip().startsWith("--")) {
                withoutComments.append(line).append('\n');
            }
        }
        return Arrays.stream(withoutComments.toString().split(";")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    /**
     * The database behind a datasource, for the startup line: product, version and where it is ({@link #safeUrl}), e.g.
     * {@code PostgreSQL 15.19 at jdbc:postgresql://127.0.0.1:5432/test}; empty when unknown.
     */
    static String describe(DataSource dataSource) {
        try (Connection connection = dataSource.getConnection()) {
            java.sql.DatabaseMetaData meta = connection.getMetaData();
            String url = safeUrl(meta.getURL());
            return meta.getDatabaseProductName() + " " + meta.getDatabaseProductVersion() + (url.isEmpty() ? "" : " at " + url);
        } catch (SQLException | RuntimeException e) {
            return "";
        }
    }

    /**
     * A JDBC URL fit for a log: without its parameters ({@code ?...}, {@code ;...}), and nothing at all when what is left
     * could hold a credential, in any driver's syntax ({@code user:password@}, Oracle's {@code scott/tiger@}, MySQL's
     * {@code (password=...)}, a {@code password} or {@code pwd} anywhere). Better no URL than a password in the log.
     */
    static String safeUrl(String url) {
        if (url == null) {
            return "";
        }
        int cut = url.length();
        for (char c : new char[] {'?', ';'}) {
            int at = url.indexOf(c);
            if (at >= 0) {
                cut = Math.min(cut, at);
            }
        }
        String base = url.substring(0, cut);
        String lower = url.toLowerCase(Locale.ROOT);
        if (url.indexOf('@') >= 0 || url.indexOf('(') >= 0 || lower.contains("password") || lower.contains("pwd")
                || base.chars().anyMatch(Character::isWhitespace)) {
            return "";
        }
        return base;
    }
}
