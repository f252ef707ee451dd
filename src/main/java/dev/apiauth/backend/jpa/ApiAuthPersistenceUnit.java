package dev.apiauth.backend.jpa;

import dev.apiauth.ApiAuthConfigurationException;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.SharedCacheMode;
import jakarta.persistence.ValidationMode;
import jakarta.persistence.spi.ClassTransformer;
import jakarta.persistence.spi.PersistenceProvider;
import jakarta.persistence.spi.PersistenceProviderResolverHolder;
import jakarta.persistence.spi.PersistenceUnitInfo;
import jakarta.persistence.spi.PersistenceUnitTransactionType;
import java.net.URL;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import javax.sql.DataSource;

/**
 * The library's own persistence unit, described in code rather than in a {@code persistence.xml} so that
 * the server deploys it only when {@code apiauth.backend=jpa} asks for it. Two classes, no shared cache,
 * no weaving (no agent needed), no schema generation (see {@link JpaSchema}).
 */
final class ApiAuthPersistenceUnit implements PersistenceUnitInfo {

    static final String NAME = "jakarta-api-auth";
    /** {@link EclipseLinkCustomizer}, by name (a class literal would load it, and EclipseLink's interface with it). */
    static final String ECLIPSELINK_CUSTOMIZER = "dev.apiauth.backend.jpa.EclipseLinkCustomizer";

    private final DataSource dataSource;
    private final String providerClass;
    private final Properties properties = new Properties();

    private ApiAuthPersistenceUnit(DataSource dataSource, String providerClass, Map<String, ?> extra) {
        this.dataSource = dataSource;
        this.providerClass = providerClass;
        properties.setProperty("eclipselink.weaving", "false");
        properties.setProperty("eclipselink.cache.shared.default", "false");
        properties.setProperty("eclipselink.ddl-generation", "none");
        properties.setProperty("eclipselink.target-server", "None");
        properties.setProperty("eclipselink.logging.level", "SEVERE"); // failures surface as BackendException
        if (providerClass.startsWith("org.eclipse.persistence.")) {
            // named, never referenced: the class implements an EclipseLink interface, so only EclipseLink may load it
            properties.setProperty("eclipselink.session.customizer", ECLIPSELINK_CUSTOMIZER);
        }
        extra.forEach((key, value) -> properties.put(key, value));
    }

    static EntityManagerFactory createEntityManagerFactory(DataSource dataSource, Map<String, ?> properties) {
        List<PersistenceProvider> providers = PersistenceProviderResolverHolder.getPersistenceProviderResolver().getPersistenceProviders();
        if (providers.isEmpty()) {
            throw new ApiAuthConfigurationException("apiauth.backend=jpa needs a JPA provider: add org.eclipse.persistence:"
                    + "org.eclipse.persistence.jpa (application servers such as Payara ship one)");
        }
        PersistenceProvider provider = providers.get(0);
        ApiAuthPersistenceUnit unit = new ApiAuthPersistenceUnit(dataSource, provider.getClass().getName(), properties);
        return provider.createContainerEntityManagerFactory(unit, new HashMap<>());
    }

    @Override
    public String getPersistenceUnitName() {
        return NAME;
    }

    @Override
    public String getPersistenceProviderClassName() {
        return providerClass;
    }

    @Override
    public PersistenceUnitTransactionType getTransactionType() {
        return PersistenceUnitTransactionType.RESOURCE_LOCAL;
    }

    @Override
    public DataSource getJtaDataSource() {
        return null;
    }

    @Override
    public DataSource getNonJtaDataSource() {
        return dataSource;
    }

    @Override
    public List<String> getMappingFileNames() {
        return List.of();
    }

    @Override
    public List<URL> getJarFileUrls() {
        return List.of();
    }

    @Override
    public URL getPersistenceUnitRootUrl() {
        return ApiKeyEntity.class.getProtectionDomain().getCodeSource().getLocation();
    }

    @Override
    public List<String> getManagedClassNames() {
        return List.of(ApiKeyEntity.class.getName(), InstantConverter.class.getName());
    }

    @Override
    public boolean excludeUnlistedClasses() {
        return true;
    }

    @Override
    public SharedCacheMode getSharedCacheMode() {
        return SharedCacheMode.NONE;
    }

    @Override
    public ValidationMode getValidationMode() {
        return ValidationMode.NONE;
    }

    @Override
    public Properties getProperties() {
        return properties;
    }

    @Override
    public String getPersistenceXMLSchemaVersion() {
        return "3.0";
    }

    @Override
    public ClassLoader getClassLoader() {
        return ApiKeyEntity.class.getClassLoader();
    }

    @Override
    public void addTransformer(ClassTransformer transformer) {
        // no weaving
    }

    @Override
    public ClassLoader getNewTempClassLoader() {
        return getClassLoader();
    }

    /** Jakarta Persistence 3.2 (EE 11) asks for these; none of them applies here. */
    public String getScopeAnnotationName() {
        return null;
    }

    public List<String> getQualifierAnnotationNames() {
        return List.of();
    }
}
