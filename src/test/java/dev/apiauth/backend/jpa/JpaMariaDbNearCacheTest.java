package dev.apiauth.backend.jpa;

import javax.sql.DataSource;

/** The {@code jpa} near cache on the real MariaDB. */
class JpaMariaDbNearCacheTest extends JpaNearCacheTest {

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

    @Override
    protected String restartNumbering() {
        return "ALTER TABLE apiauth_key_changes AUTO_INCREMENT = 1";
    }
}
