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

    private static final String SENTINEL = "sentinelServersConfig:\n  masterName: \"mymaster\"\n  sentinelAddresses:\n  - \"redis://127.0.0.1:26379\"\n";

    @Test
    void sentinelAndClusterClientsBuiltFromYamlReadFromTheMaster() throws Exception {
        org.redisson.config.Config defaults = org.redisson.config.Config.fromYAML(SENTINEL);
        assertTrue(RedisClients.replicaReadMode(defaults).isPresent(), "Redisson's own default reads from replicas");
        RedisClients.readFromMaster(defaults, SENTINEL);
        assertTrue(RedisClients.replicaReadMode(defaults).isEmpty(), "the library reads revocations from the master");
        String cluster = "clusterServersConfig:\n  nodeAddresses:\n  - \"redis://127.0.0.1:7000\"\n";
        org.redisson.config.Config clustered = org.redisson.config.Config.fromYAML(cluster);
        RedisClients.readFromMaster(clustered, cluster);
        assertTrue(RedisClients.replicaReadMode(clustered).isEmpty());
    }

    @Test
    void anExplicitReplicaReadModeIsKeptAndReported() throws Exception {
        String yaml = SENTINEL + "  readMode: \"SLAVE\"\n";
        org.redisson.config.Config config = org.redisson.config.Config.fromYAML(yaml);
        RedisClients.readFromMaster(config, yaml);
        org.junit.jupiter.api.Assertions.assertEquals(java.util.Optional.of("SLAVE"), RedisClients.replicaReadMode(config));
    }
}
