package dev.apiauth.cdi;

import dev.apiauth.ApiKey;

/**
 * The key that authenticated the current request; a request-scoped bean the JAX-RS filter fills in.
 * Applications inject {@link ApiKey} itself (or {@code Instance<ApiKey>} in long-lived beans).
 */
public class CurrentApiKey {

    private ApiKey key;

    public ApiKey get() {
        return key;
    }

    public void set(ApiKey key) {
        this.key = key;
    }
}
