package dev.apiauth.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiauth.backend.jpa.TestDatabases;
import dev.apiauth.demo.build.Deployments;
import dev.apiauth.internal.KeyCodec;
import dev.apiauth.internal.KeyHasher;
import jakarta.json.JsonObject;
import java.io.File;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.exporter.ZipExporter;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The demo on PostgreSQL through a datasource the WAR defines ({@code web.xml} {@code <data-source>}, driver in
 * {@code WEB-INF/lib}): keys survive stopping and starting Payara Micro, and the table holds no plaintext.
 * Payara is started by the test, twice, on a database of the test's own.
 */
class JpaPostgresIT {

    private static String database;
    private static DataSource direct;

    @BeforeAll
    static void createDatabase() {
        database = TestDatabases.uniqueName("payara");
        direct = TestDatabases.createPostgres(database);
    }

    @AfterAll
    static void dropDatabase() {
        if (database != null) {
            TestDatabases.dropPostgres(database);
        }
    }

    static File war(Path dir, String bootstrapKey) {
        return postgresWar(dir, "jpa-postgres.war", database, Map.of(
                "apiauth.backend", "jpa",
                "apiauth.jpa.datasource", "java:app/jdbc/apikeys",
                "apiauth.management.enabled", "true",
                "apiauth.bootstrap.admin-key-hash", KeyHasher.unpeppered().hash(bootstrapKey)));
    }

    /** The demo with {@code config}, its web.xml replaced by one defining java:app/jdbc/apikeys on {@code database}. */
    static File postgresWar(Path dir, String name, String database, Map<String, String> config) {
        return postgresWar(dir, name, TestDatabases.PG_PORT, database, config);
    }

    /**
     * The pool settings the README recommends for the {@code jpa} backend on Payara: without connection validation
     * the pool hands out its dead connections forever after a database restart (every lookup 503 until a redeploy:
     * StoreOutageReliability), and without a socket timeout a frozen database holds each request until it wakes.
     */
    static final String RESILIENT_POOL = """
            <property><name>fish.payara.is-connection-validation-required</name><value>true</value></property>
                    <property><name>fish.payara.connection-validation-method</name><value>custom-validation</value></property>
                    <property><name>fish.payara.validation-classname</name><value>org.glassfish.api.jdbc.validation.PostgresConnectionValidation</value></property>
                    <property><name>fish.payara.validate-atmost-once-period-in-seconds</name><value>1</value></property>
                    <property><name>fish.payara.fail-all-connections</name><value>true</value></property>
                    <property><name>fish.payara.max-wait-time-in-millis</name><value>3000</value></property>
                    <property><name>socketTimeout</name><value>3</value></property>
                    <property><name>connectTimeout</name><value>2</value></property>""";

    /** The demo with {@code java:app/jdbc/apikeys} pointing at a PostgreSQL database on 127.0.0.1:{@code port}. */
    static File postgresWar(Path dir, String name, int port, String database, Map<String, String> config) {
        WebArchive war = Deployments.demoWith(name, config);
        war.delete("WEB-INF/web.xml");
        war.addAsWebInfResource(new StringAsset("""
                <?xml version="1.0" encoding="UTF-8"?>
                <web-app xmlns="https://jakarta.ee/xml/ns/jakartaee" version="6.0">
                  <data-source>
                    <name>java:app/jdbc/apikeys</name>
                    <class-name>org.postgresql.ds.PGSimpleDataSource</class-name>
                    <server-name>%s</server-name>
                    <port-number>%d</port-number>
                    <database-name>%s</database-name>
                    <user>%s</user>
                    <password>unused-with-trust-auth</password>
                    %s
                  </data-source>
                </web-app>
                """.formatted(TestDatabases.PG_HOST, port, database, TestDatabases.PG_USER, RESILIENT_POOL)), "web.xml");
        File file = dir.resolve(name).toFile();
        war.as(ZipExporter.class).exportTo(file, true);
        return file;
    }

    @Test
    void keysSurviveARestartAndNoPlaintextIsStored() throws Exception {
        Path dir = PayaraProcess.freshDir(Path.of(System.getProperty("apiauth.build", "target"), "jpa-postgres"));
        String bootstrap = new KeyCodec("ops_").generate();
        File war = war(dir, bootstrap);
        String owner = "restart-" + UUID.randomUUID();
        String kept;
        String revoked;
        String keptId;
        try (PayaraProcess payara = PayaraProcess.start(war, dir, "first.log")) {
            payara.awaitBoot();
            Http http = new Http(new URL(payara.baseUrl()));
            kept = create(http, bootstrap, owner).getString("key");
            JsonObject toRevoke = create(http, bootstrap, owner);
            revoked = toRevoke.getString("key");
            keptId = http.get("api/api-keys?ownerId=" + owner, "X-API-Key", bootstrap).json()
                    .getJsonArray("items").getJsonObject(1).getString("id");
            assertEquals(200, http.get("api/hello", "X-API-Key", kept).status(), payara.log());
            assertEquals(204, http.post("api/api-keys/" + toRevoke.getString("id") + "/revoke", null, "X-API-Key", bootstrap).status());
            assertEquals(401, http.get("api/hello", "X-API-Key", revoked).status());
        }
        try (PayaraProcess payara = PayaraProcess.start(war, dir, "second.log")) {
            payara.awaitBoot();
            Http http = new Http(new URL(payara.baseUrl()));
            Http.Response hello = http.get("api/hello", "X-API-Key", kept);
            assertEquals(200, hello.status(), "a key created before the restart still works: " + hello + "\n" + payara.log());
            assertEquals(owner, hello.json().getString("ownerId"));
            assertEquals(keptId, hello.json().getString("keyId"));
            Http.Response stillRevoked = http.get("api/hello", "X-API-Key", revoked);
            assertEquals(401, stillRevoked.status());
            assertEquals("revoked", stillRevoked.json().getString("reason"));
            assertEquals(2, http.get("api/api-keys?ownerId=" + owner, "X-API-Key", bootstrap).json().getInt("total"));
        }
        String rows = dump();
        assertTrue(rows.contains(KeyHasher.unpeppered().hash(kept)), rows);
        for (String plaintext : new String[] {kept, revoked, bootstrap}) {
            assertFalse(rows.contains(plaintext), "a plaintext key is in the table");
            assertFalse(rows.contains(plaintext.substring(plaintext.indexOf('_') + 5, plaintext.length() - 6)), "a secret is in the table");
        }
    }

    private static JsonObject create(Http http, String bootstrap, String owner) {
        Http.Response created = http.post("api/api-keys", "{\"name\":\"pg\",\"ownerId\":\"" + owner + "\",\"scopes\":[\"read\"]}",
                "X-API-Key", bootstrap);
        assertEquals(201, created.status(), created.toString());
        return created.json();
    }

    private static String dump() throws Exception {
        StringBuilder all = new StringBuilder();
        try (Connection c = direct.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT * FROM apiauth_keys")) {
            ResultSetMetaData meta = rs.getMetaData();
            while (rs.next()) {
                for (int i = 1; i <= meta.getColumnCount(); i++) {
                    all.append(meta.getColumnName(i)).append('=').append(rs.getString(i)).append('\t');
                }
                all.append('\n');
            }
        }
        return all.toString();
    }
}
