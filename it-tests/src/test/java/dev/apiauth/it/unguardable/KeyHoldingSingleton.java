package dev.apiauth.it.unguardable;

import dev.apiauth.ApiKey;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** Would keep the first caller's key for everyone. */
@ApplicationScoped
public class KeyHoldingSingleton {

    @Inject
    ApiKey key;

    public String owner() {
        return key.ownerId();
    }
}
