package dev.apiauth.backend;

import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Makes a backend by its {@code apiauth.backend} name. An application's providers are found through
 * {@link java.util.ServiceLoader}; the built-in ones also by class name (a server may hide service files). A backend
 * whose dependencies (EclipseLink, Redisson) are absent is never loaded unless selected.
 */
public interface BackendProvider {

    /** The {@code apiauth.backend} value that selects this backend, e.g. {@code memory}. */
    String name();

    /**
     * Builds the backend. A wrong config value is an {@link dev.apiauth.ApiAuthConfigurationException} naming
     * the key, the value and what was expected. Resources the provider opens are handed to
     * {@link Context#onClose} so they are released when the application stops.
     */
    Backend create(Context context);

    /** Names of application bean types this provider may use through {@link Context#bean} (e.g. a client). */
    default Set<String> applicationBeanTypes() {
        return Set.of();
    }

    /** What a provider may use while it builds a backend. */
    interface Context {

        /** A config value, {@code apiauth.*} keys included. */
        Optional<String> config(String key);

        /** The application's bean of this type (one of {@link #applicationBeanTypes()}), if it has one. */
        <T> Optional<T> bean(Class<T> type);

        /** Another backend by its {@code apiauth.backend} name, e.g. the primary behind a cache. */
        Backend backend(String name);

        /** Releases {@code resource} when the application stops (last registered, first closed). */
        void onClose(AutoCloseable resource);

        /** A context with config only: no application beans, no other backends; closing is left to the caller. */
        static Context ofConfig(Function<String, Optional<String>> config) {
            return new Context() {
                @Override
                public Optional<String> config(String key) {
                    return config.apply(key);
                }

                @Override
                public <T> Optional<T> bean(Class<T> type) {
                    return Optional.empty();
                }

                @Override
                public Backend backend(String name) {
                    throw new UnsupportedOperationException("no other backends in this context");
                }

                @Override
                public void onClose(AutoCloseable resource) {
                }
            };
        }
    }
}
