package dev.apiauth.backend.jpa;

import dev.apiauth.ApiAuthConfigurationException;
import dev.apiauth.backend.Backend;
import dev.apiauth.backend.BackendProvider;
import dev.apiauth.internal.ConfigReader;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;
import javax.naming.InitialContext;
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

    @Override
    public String name() {
        return "jpa";
    }

    @Override
    public Backend create(Function<String, Optional<String>> config) {
        return create(config, JpaBackendProvider::lookup);
    }

    Backend create(Function<String, Optional<String>> config, Function<String, DataSource> dataSources) {
        ConfigReader in = new ConfigReader(config);
        String jndiName = in.string(DATASOURCE, DEFAULT_DATASOURCE);
        String schema = in.matching(SCHEMA, "create", Pattern.compile("create|none"), "create or none");
        in.throwIfProblems();
        requireJpa();
        DataSource dataSource = dataSources.apply(jndiName);
        if (schema.equals("create")) {
            JpaSchema.create(dataSource);
        } else {
            JpaSchema.verify(dataSource);
        }
        return JpaBackend.create(dataSource, Map.of());
    }

    private static DataSource lookup(String jndiName) {
        Object found;
        try {
            found = new InitialContext().lookup(jndiName);
        } catch (NamingException e) {
            throw new ApiAuthConfigurationException(DATASOURCE + "=" + jndiName + " is invalid; expected the JNDI name of a"
                    + " DataSource (for example java:app/jdbc/apikeys or java:comp/DefaultDataSource): " + e);
        }
        if (!(found instanceof DataSource dataSource)) {
            throw new ApiAuthConfigurationException(DATASOURCE + "=" + jndiName + " is invalid; expected a DataSource, found "
                    + (found == null ? "nothing" : found.getClass().getName()));
        }
        return dataSource;
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
