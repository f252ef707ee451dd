package dev.apiauth.cdi;

import dev.apiauth.ApiKey;
import dev.apiauth.backend.Backend;
import dev.apiauth.backend.BackendProvider;
import dev.apiauth.backend.memory.MemoryBackend;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/** {@code apiauth.backend=recording} (tests only): a memory backend that notes its writes and when its store closes. */
public final class RecordingBackendProvider implements BackendProvider {

    static final List<String> EVENTS = new CopyOnWriteArrayList<>();

    @Override
    public String name() {
        return "recording";
    }

    @Override
    public Backend create(Context context) {
        MemoryBackend store = new MemoryBackend();
        context.onClose(() -> EVENTS.add("store closed"));
        return new Backend() {
            @Override
            public Optional<ApiKey> getByHash(String keyHash) {
                return store.getByHash(keyHash);
            }

            @Override
            public Optional<ApiKey> getById(UUID id) {
                return store.getById(id);
            }

            @Override
            public ApiKey create(ApiKey key) {
                return store.create(key);
            }

            @Override
            public ApiKey update(ApiKey key) {
                EVENTS.add(key.lastUsedAt() != null ? "usage written" : "update");
                return store.update(key);
            }

            @Override
            public void delete(UUID id) {
                store.delete(id);
            }

            @Override
            public List<ApiKey> listByOwner(String ownerId) {
                return store.listByOwner(ownerId);
            }
        };
    }
}
