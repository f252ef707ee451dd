package dev.apiauth.backend.jpa;

import javax.sql.DataSource;

/** JPA on the real MariaDB (the shipped mysql.sql), in a database of its own. */
class JpaMariaDbContractTest extends JpaServerContract {

    @Override
    protected DataSource createDatabase(String name) {
        return TestDatabases.createMariaDb(name);
    }

    @Override
    protected void dropDatabase(String name) {
        TestDatabases.dropMariaDb(name);
    }

    @Override
    protected String dialect() {
        return "mysql";
    }
}
