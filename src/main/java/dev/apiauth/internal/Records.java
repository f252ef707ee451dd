package dev.apiauth.internal;

import dev.apiauth.ApiKey;
import dev.apiauth.backend.Backend;
import dev.apiauth.backend.ConcurrentUpdateException;
import dev.apiauth.backend.UnknownKeyException;
import java.util.Optional;
import java.util.UUID;
import java.util.function.UnaryOperator;

/** Read-modify-write of one record under the backend's optimistic lock. */
public final class Records {

    static final int ATTEMPTS = 8;

    private Records() {
    }

    /**
     * Applies {@code change} to the stored record and writes it, reading again and reapplying when another
     * writer got there first. {@code change} returns the record unchanged (the same instance) when nothing
     * needs writing.
     *
     * @return the record as stored afterwards, or empty when the id is unknown
     * @throws ConcurrentUpdateException when the record kept changing under us {@value #ATTEMPTS} times
     */
    public static Optional<ApiKey> modify(Backend backend, UUID id, UnaryOperator<ApiKey> change) {
        ConcurrentUpdateException last = null;
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            Optional<ApiKey> current = backend.getById(id);
            if (current.isEmpty()) {
                return current;
            }
            ApiKey changed = change.apply(current.get());
            if (changed == current.get()) {
                return current;
            }
            try {
                return Optional.of(backend.update(changed));
            } catch (ConcurrentUpdateException e) {
                last = e;
            } catch (UnknownKeyException e) {
                return Optional.empty();
            }
        }
        throw last;
    }
}
