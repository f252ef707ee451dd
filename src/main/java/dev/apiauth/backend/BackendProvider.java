package dev.apiauth.backend;

import java.util.Optional;
import java.util.function.Function;

/**
 * Makes a backend by its {@code apiauth.backend} name. Found through {@link java.util.ServiceLoader}, so
 * a backend whose dependencies (EclipseLink, Redisson) are absent is never loaded unless selected.
 */
public interface BackendProvider {

    /** The {@code apiauth.backend} value that selects this backend, e.g. {@code memory}. */
    String name();

    /**
     * Builds the backend. Reads its own config keys through {@code config}; a wrong value is an
     * {@link dev.apiauth.ApiAuthConfigurationException} naming the key, the value and what was expected.
     * The library closes the result at shutdown when it implements {@link AutoCloseable}.
     */
    Backend create(Function<String, Optional<String>> config);
}
