package dev.apiauth.backend.jpa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiauth.ApiAuthConfigurationException;
import dev.apiauth.ApiKey;
import dev.apiauth.backend.Backend;
import dev.apiauth.backend.BackendContract;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * The backend contract on {@link JpaBackend}, plus what only a database has: the schema. Subclasses give the
 * database; one backend serves the whole class (as in an application), tests keep to owners of their own.
 */
abstract class JpaBackendContract extends BackendContract {

    /** The database of this class, with the table in place. */
    protected abstract DataSource dataSource();

    /** The shared backend. */
    protected abstract JpaBackend jpaBackend();

    /** A fresh, empty database of the same kind (for schema tests); dropped by the subclass. */
    protected abstract DataSource emptyDatabase();

    protected abstract String dialect();

    @Override
    protected Backend newBackend() {
        return jpaBackend();
    }

    static Backend viaProvider(DataSource ds, String schema) {
        return viaProvider(ds, schema, Map.of());
    }

    static Backend viaProvider(DataSource ds, String schema, Map<String, String> more) {
        Map<String, String> config = new HashMap<>(more);
        config.put(JpaBackendProvider.SCHEMA, schema);
        return new JpaBackendProvider().create(key -> Optional.ofNullable(config.get(key)), jndi -> ds);
    }

    @Test
    void creatingTheSchemaAgainKeepsTheData() {
        ApiKey key = backend.create(newKey(owner("schema"), Instant.now().truncatedTo(ChronoUnit.MILLIS)));
        JpaSchema.create(dataSource());
        JpaSchema.verify(dataSource());
        assertEquals(key, backend.getById(key.id()).orElseThrow());
    }

    @Test
    void schemaNoneOnAnEmptyDatabaseNamesTheScriptToApply() {
        ApiAuthConfigurationException e = assertThrows(ApiAuthConfigurationException.class,
                () -> viaProvider(emptyDatabase(), "none"));
        assertTrue(e.getMessage().contains("apiauth.jpa.schema=none but table apiauth_keys is missing"), e.getMessage());
        assertTrue(e.getMessage().contains("META-INF/apiauth/ddl/" + dialect() + ".sql"), e.getMessage());
    }

    @Test
    void schemaCreateOnAnEmptyDatabaseGivesAWorkingBackend() throws Exception {
        Backend fresh = viaProvider(emptyDatabase(), "create");
        try {
            ApiKey key = fresh.create(newKey(owner("fresh"), Instant.now().truncatedTo(ChronoUnit.MILLIS)));
            assertEquals(List.of(key), fresh.listByOwner(key.ownerId()));
        } finally {
            ((AutoCloseable) fresh).close();
        }
    }

    @Test
    void wrongSchemaValueIsAConfigurationError() {
        ApiAuthConfigurationException e = assertThrows(ApiAuthConfigurationException.class,
                () -> viaProvider(dataSource(), "update"));
        assertTrue(e.getMessage().contains("apiauth.jpa.schema=update is invalid; expected create or none"), e.getMessage());
    }
}
