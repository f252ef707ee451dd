package dev.apiauth.backend.jpa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/** The startup line names the database without what its URL may carry: parameters (passwords) and user information. */
class JpaSchemaDescribeTest {

    @Test
    void h2InMemoryWithoutItsSettings() {
        String described = JpaSchema.describe(TestDatabases.h2(TestDatabases.uniqueName("describe")));
        assertTrue(described.startsWith("H2 2."), described);
        assertTrue(described.matches("H2 .* at jdbc:h2:mem:[a-z0-9_]+"), described);
    }

    @Test
    void postgresWithoutThePasswordInItsUrl() {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setUrl("jdbc:postgresql://" + TestDatabases.PG_HOST + ":" + TestDatabases.PG_PORT + "/test?user="
                + TestDatabases.PG_USER + "&password=s3cr3t-in-url");
        String described = JpaSchema.describe(dataSource);
        assertTrue(described.startsWith("PostgreSQL "), described);
        assertTrue(described.endsWith(" at jdbc:postgresql://" + TestDatabases.PG_HOST + ":" + TestDatabases.PG_PORT + "/test"), described);
        assertFalse(described.contains("s3cr3t"), described);
    }

    @Test
    void nothingWhenTheDatabaseCannotBeReached() {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setUrl("jdbc:postgresql://127.0.0.1:1/none?connectTimeout=1");
        assertEquals("", JpaSchema.describe(dataSource));
    }

    @Test
    void aUrlThatCouldHoldACredentialIsLeftOutInEveryDriversSyntax() {
        String[] leaky = {
            "jdbc:postgresql://u:secret@h:5432/db",
            "jdbc:mysql://u:se?cret@h/db",
            "jdbc:mysql://u:p@h1,u:p@h2/db",
            "jdbc:mysql://address=(host=h)(user=u)(password=p)/db",
            "jdbc:oracle:thin:scott/tiger@//h:1521/svc",
            "jdbc:oracle:thin:scott/tiger@h:1521:sid",
            "jdbc:db2://h:50000/db:password=p;user=u;",
            "jdbc:sqlserver://h:1433;databaseName=db;password=p",
            "jdbc:foo://h/db/PWD=x",
        };
        for (String url : leaky) {
            assertEquals("", JpaSchema.safeUrl(url), url);
        }
    }

    @Test
    void aPlainUrlKeepsWhereTheDatabaseIs() {
        assertEquals("jdbc:postgresql://h:5432/db", JpaSchema.safeUrl("jdbc:postgresql://h:5432/db?sslmode=require"));
        assertEquals("jdbc:h2:mem:apiauth", JpaSchema.safeUrl("jdbc:h2:mem:apiauth;DB_CLOSE_DELAY=-1"));
        assertEquals("jdbc:sqlserver://h:1433", JpaSchema.safeUrl("jdbc:sqlserver://h:1433;databaseName=db"));
        assertEquals("", JpaSchema.safeUrl(null));
    }
}
