package dev.apiauth.backend.jpa;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * The JPA contract on a real database server, in a database of the class's own: the shipped DDL is applied
 * the way a migration tool would (plain JDBC) and the backend runs with {@code apiauth.jpa.schema=none}.
 * Every database created is dropped afterwards.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class JpaServerContract extends JpaBackendContract {

    private final List<String> databases = new ArrayList<>();
    private DataSource ds;
    private JpaBackend shared;

    /** Creates the database {@code name} on the server and returns a DataSource for it. */
    protected abstract DataSource createDatabase(String name);

    protected abstract void dropDatabase(String name);

    /** Configuration of the shared backend beyond {@code apiauth.jpa.schema=none}. */
    protected Map<String, String> config() {
        return Map.of();
    }

    private DataSource newDatabase(String purpose) {
        String name = TestDatabases.uniqueName(dialect() + "_" + purpose);
        databases.add(name);
        return createDatabase(name);
    }

    @BeforeAll
    void start() {
        ds = newDatabase("contract");
        TestDatabases.apply(ds, JpaSchema.script(dialect()));
        shared = (JpaBackend) viaProvider(ds, "none", config());
    }

    @AfterAll
    void stop() {
        if (shared != null) {
            shared.close();
        }
        databases.forEach(this::dropDatabase);
    }

    @Override
    protected DataSource dataSource() {
        return ds;
    }

    @Override
    protected JpaBackend jpaBackend() {
        return shared;
    }

    @Override
    protected DataSource emptyDatabase() {
        return newDatabase("empty");
    }
}
