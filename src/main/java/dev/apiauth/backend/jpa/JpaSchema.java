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
 * The table and indexes of {@link ApiKeyEntity}, from the DDL scripts shipped in the jar
 * ({@code META-INF/apiauth/ddl/postgresql.sql}, {@code h2.sql}, {@code mysql.sql} for MySQL and MariaDB).
 * The same scripts serve Flyway or Liquibase users; every statement is {@code IF NOT EXISTS}, so applying
 * them again leaves existing data alone.
 */
public final class JpaSchema {

    public static final String TABLE = "apiauth_keys";

    private JpaSchema() {
    }

    /** Creates the table and indexes when missing. */
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
        } catch (SQLException e) {
            throw new BackendException("could not create table " + TABLE + ": " + e.getMessage(), e);
        }
    }

    /** Fails with a message naming the script to apply when the table is missing. */
    public static void verify(DataSource dataSource) {
        try (Connection connection = dataSource.getConnection()) {
            String dialect = dialect(connection);
            try (Statement statement = connection.createStatement()) {
                statement.executeQuery("SELECT id, key_hash, owner_id, version FROM " + TABLE + " WHERE 1 = 0").close();
            } catch (SQLException missing) {
                throw new ApiAuthConfigurationException("apiauth.jpa.schema=none but table " + TABLE + " is missing or"
                        + " incomplete (" + missing.getMessage() + "); apply META-INF/apiauth/ddl/" + dialect
                        + ".sql from the jakarta-api-auth jar, or set apiauth.jpa.schema=create");
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
}
