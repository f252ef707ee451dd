package dev.apiauth.backend.memory;

import dev.apiauth.backend.Backend;
import dev.apiauth.backend.BackendContract;

class MemoryBackendContractTest extends BackendContract {

    @Override
    protected Backend newBackend() {
        return new MemoryBackend();
    }
}
