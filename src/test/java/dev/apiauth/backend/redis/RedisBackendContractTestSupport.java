package dev.apiauth.backend.redis;

import java.util.UUID;

final class RedisBackendContractTestSupport {

    private RedisBackendContractTestSupport() {
    }

    static String randomHash() {
        return UUID.randomUUID().toString().replace("-", "") + UUID.randomUUID().toString().replace("-", "");
    }
}
