package dev.apiauth.backend.jpa;

import javax.sql.DataSource;

/** The {@code jpa} near cache on the real PostgreSQL. */
class JpaPostgresNearCacheTest extends JpaNearCacheTest {

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

    @Override
    protected String restartNumbering() {
        return "ALTER TABLE apiauth_key_changes ALTER COLUMN seq RESTART WITH 1";
    }
}
