package dev.apiauth.backend.memory;

import dev.apiauth.backend.Backend;
import dev.apiauth.backend.BackendProvider;

/** {@code apiauth.backend=memory}, the default. */
public final class MemoryBackendProvider implements BackendProvider {

    @Override
    public String name() {
        return "memory";
    }

    @Override
    public Backend create(Context context) {
        return new MemoryBackend();
    }
}
