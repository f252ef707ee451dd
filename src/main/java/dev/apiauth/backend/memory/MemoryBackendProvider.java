package dev.apiauth.backend.memory;

import dev.apiauth.backend.Backend;
import dev.apiauth.backend.BackendProvider;
import java.util.Optional;
import java.util.function.Function;

/** {@code apiauth.backend=memory}, the default. */
public final class MemoryBackendProvider implements BackendProvider {

    @Override
    public String name() {
        return "memory";
    }

    @Override
    public Backend create(Function<String, Optional<String>> config) {
        return new MemoryBackend();
    }
}
