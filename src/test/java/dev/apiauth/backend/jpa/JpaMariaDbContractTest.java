package dev.apiauth.backend.jpa;

import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * JPA on the real MariaDB, in a database of its own. The shipped DDL is applied the way a migration
 * tool would (plain JDBC) and the backend runs with {@code apiauth.jpa.schema=none}.
 */
class JpaMariaDbContractTest extends JpaBackendContract {

    private static String name;
    private static final List<String> extra = new ArrayList<>();
    private static DataSource ds;
    private static JpaBackend shared;

    @BeforeAll
    static void start() {
        name = TestDatabases.uniqueName("maria");
        ds = TestDatabases.createMariaDb(name);
        TestDatabases.apply(ds, JpaSchema.script("mysql"));
        shared = (JpaBackend) viaProvider(ds, "none");
    }

    @AfterAll
    static void stop() {
        if (shared != null) {
            shared.close();
        }
        if (name != null) {
            TestDatabases.dropMariaDb(name);
        }
        extra.forEach(TestDatabases::dropMariaDb);
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
        String empty = TestDatabases.uniqueName("maria_empty");
        extra.add(empty);
        return TestDatabases.createMariaDb(empty);
    }

    @Override
    protected String dialect() {
        return "mysql";
    }
}

