package dev.apiauth.backend.jpa;

import dev.apiauth.ApiAuthConfigurationException;
import dev.apiauth.backend.Backend;
import dev.apiauth.backend.BackendException;
import dev.apiauth.backend.BackendProvider;
import dev.apiauth.backend.NearCacheSettings;
import dev.apiauth.internal.ConfigReader;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.logging.Logger;
import java.util.regex.Pattern;
import javax.naming.InitialContext;
import javax.naming.NameNotFoundException;
import javax.naming.NamingException;
import javax.sql.DataSource;

/**
 * {@code apiauth.backend=jpa}: {@link JpaBackend} over the JNDI datasource {@code apiauth.jpa.datasource}
 * (default: the server's default datasource), with the table created at startup when missing
 * ({@code apiauth.jpa.schema=create}) or only checked ({@code none}).
 */
public final class JpaBackendProvider implements BackendProvider {

    public static final String DATASOURCE = "apiauth.jpa.datasource";
    public static final String SCHEMA = "apiauth.jpa.schema";
    public static final String DEFAULT_DATASOURCE = "java:comp/DefaultDataSource";
    private static final Logger LOG = Logger.getLogger(JpaBackendProvider.class.getName());

    @Override
    public String name() {
        return "jpa";
    }

    @Override
    public Backend create(Context context) {
        JpaBackend backend = create(context::config, JpaBackendProvider::lookup);
        context.onClose(backend);
        return backend;
    }

    JpaBackend create(Function<String, Optional<String>> config, Function<String, DataSource> dataSources) {
        ConfigReader in = new ConfigReader(config);
        String jndiName = in.string(DATASOURCE, DEFAULT_DATASOURCE);
        String schema = in.matching(SCHEMA, "create", Pattern.compile("create|none"), "create or none");
        NearCacheSettings near = NearCacheSettings.read(in);
        in.throwIfProblems();
        requireJpa();
        near.requireCaffeine();
        JpaBackend backend = new JpaBackend(() -> {
            DataSource dataSource;
            try {
                dataSource = dataSources.apply(jndiName);
            } catch (NotBound e) {
                throw new BackendException(e.getMessage(), e);
            }
            if (schema.equals("create")) {
                JpaSchema.create(dataSource);
            } else {
                JpaSchema.verify(dataSource, near.enabled());
            }
            var factory = ApiAuthPersistenceUnit.createEntityManagerFactory(dataSource, Map.of());
            String database = JpaSchema.describe(dataSource);
            LOG.info("API key store: JPA on the datasource " + jndiName + " (" + DATASOURCE + ")"
                    + (database.isEmpty() ? "" : ", " + database) + ", table apiauth_keys, "
                    + SCHEMA + "=" + schema + ", " + near);
            return factory;
        }, near);
        try {
            backend.start();
        } catch (BackendException e) {
            if (!(e.getCause() instanceof NotBound)) {
                backend.close(); // its near cache's poller too
                throw e;
            }
            LOG.info(DATASOURCE + "=" + jndiName + " is not bound yet (datasources an application defines itself are bound"
                    + " after CDI starts); the API key store connects at its first use");
        } catch (RuntimeException e) {
            backend.close();
            throw e;
        }
        return backend;
    }

    private static DataSource lookup(String jndiName) {
        Object found;
        try {
            found = new InitialContext().lookup(jndiName);
        } catch (NamingException e) {
            if (!(e instanceof NameNotFoundException || e.getRootCause() instanceof NameNotFoundException)) {
                throw new ApiAuthConfigurationException(DATASOURCE + "=" + jndiName + " is invalid; expected the JNDI name of a"
                        + " DataSource (a server JDBC resource such as jdbc/apikeys, an application's java:app/jdbc/apikeys, or"
                        + " java:comp/DefaultDataSource): " + e);
            }
            throw new NotBound(DATASOURCE + "=" + jndiName + " is not bound in JNDI; expected the JNDI name of a DataSource"
                    + " (a server JDBC resource such as jdbc/apikeys, an application's java:app/jdbc/apikeys, or"
                    + " java:comp/DefaultDataSource)");
        }
        if (!(found instanceof DataSource dataSource)) {
            throw new ApiAuthConfigurationException(DATASOURCE + "=" + jndiName + " is invalid; expected a DataSource, found "
                    + (found == null ? "nothing" : found.getClass().getName()));
        }
        return dataSource;
    }

    /** The JNDI name is not bound (yet). */
    static final class NotBound extends ApiAuthConfigurationException {
        private static final long serialVersionUID = 1L;

        NotBound(String message) {
            super(message);
        }
    }

    private static void requireJpa() {
        try {
            Class.forName("jakarta.persistence.EntityManagerFactory", false, JpaBackendProvider.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new ApiAuthConfigurationException("apiauth.backend=jpa needs Jakarta Persistence and a provider: add"
                    + " org.eclipse.persistence:org.eclipse.persistence.jpa, or deploy to a Jakarta EE server");
        }
    }
}
