package dev.apiauth.cdi;

import dev.apiauth.ApiKey;
import dev.apiauth.backend.Backend;
import dev.apiauth.backend.BackendProvider;
import dev.apiauth.backend.ForwardingBackend;
import dev.apiauth.backend.memory.MemoryBackend;
import java.util.List;
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
        return new ForwardingBackend(store) {
            @Override
            public ApiKey update(ApiKey key) {
                EVENTS.add(key.lastUsedAt() != null ? "usage written" : "update");
                return delegate.update(key);
            }
        };
    }
}
