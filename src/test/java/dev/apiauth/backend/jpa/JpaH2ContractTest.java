package dev.apiauth.backend.jpa;

import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** JPA on in-memory H2 (the database Payara Micro's default datasource is), schema created by the provider. */
class JpaH2ContractTest extends JpaBackendContract {

    private static DataSource ds;
    private static JpaBackend shared;

    @BeforeAll
    static void start() {
        ds = TestDatabases.h2(TestDatabases.uniqueName("h2"));
        shared = (JpaBackend) viaProvider(ds, "create");
    }

    @AfterAll
    static void stop() {
        shared.close();
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
        return TestDatabases.h2(TestDatabases.uniqueName("h2_empty"));
    }

    @Override
    protected String dialect() {
        return "h2";
    }
}
