package dev.apiauth.jaxrs;

import dev.apiauth.ApiKey;

/**
 * The key that authenticated the current request: a request-scoped bean only the library's guard can fill
 * in (package-private, so application code cannot put a key of its choosing there). Applications read it as
 * {@code @Inject ApiKey} in request-scoped beans, or {@code Instance<ApiKey>} / the JAX-RS
 * {@code SecurityContext} elsewhere.
 */
class RequestKey { // not final: a request-scoped bean is reached through a client proxy

    private ApiKey key;

    ApiKey get() {
        return key;
    }

    void set(ApiKey key) {
        this.key = key;
    }
}
