package dev.apiauth.backend.redis;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiauth.ApiAuthConfigurationException;
import dev.apiauth.backend.BackendProvider;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A wrong Redis address fails the deployment without printing what may be a password. */
class RedisClientsTest {

    @Test
    void aWrongAddressIsRefusedWithoutPrintingIt() {
        for (String address : new String[] {"default:s3cr3t-pw@redis.internal:6379", "redis:// :s3cr3t-pw@host", "s3cr3t-pw"}) {
            Map<String, String> config = Map.of("apiauth.redis.address", address);
            ApiAuthConfigurationException e = assertThrows(ApiAuthConfigurationException.class,
                    () -> RedisClients.client(BackendProvider.Context.ofConfig(k -> Optional.ofNullable(config.get(k)))));
            assertTrue(e.getMessage().contains("apiauth.redis.address is invalid (value not shown)"), e.getMessage());
            assertFalse(e.getMessage().contains("s3cr3t"), e.getMessage());
        }
    }
}
