package dev.apiauth.openapi;

import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Names the library's {@link ApiKeyOpenApiFilter} as {@code mp.openapi.filter}, at the lowest ordinal of any source an
 * application usually has, so that MicroProfile OpenAPI runs it without the application adding anything. An application
 * that sets {@code mp.openapi.filter} itself replaces it (the extension warns, and says to move that filter to
 * {@code apiauth.openapi.filter}, which the library's filter runs after its own). Offers nothing where the MicroProfile
 * OpenAPI API cannot be loaded. Found through {@code META-INF/services/org.eclipse.microprofile.config.spi.ConfigSource}.
 */
public final class OpenApiFilterSource implements ConfigSource {

    static final String FILTER_KEY = "mp.openapi.filter";
    /** Below microprofile-config.properties (100), environment (300) and system properties (400). */
    static final int ORDINAL = 10;

    private final Map<String, String> properties;

    public OpenApiFilterSource() {
        boolean api;
        try {
            Class.forName("org.eclipse.microprofile.openapi.OASFilter", false, OpenApiFilterSource.class.getClassLoader());
            api = true;
        } catch (ClassNotFoundException | LinkageError e) {
            api = false;
        }
        properties = api ? Map.of(FILTER_KEY, ApiKeyOpenApiFilter.class.getName()) : Map.of();
    }

    @Override
    public Set<String> getPropertyNames() {
        return properties.keySet();
    }

    @Override
    public Map<String, String> getProperties() {
        return properties;
    }

    @Override
    public String getValue(String propertyName) {
        return properties.get(propertyName);
    }

    @Override
    public String getName() {
        return "jakarta-api-auth (mp.openapi.filter)";
    }

    @Override
    public int getOrdinal() {
        return ORDINAL;
    }
}
