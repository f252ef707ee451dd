package dev.apiauth.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiauth.demo.build.Deployments;
import dev.apiauth.internal.KeyCodec;
import dev.apiauth.internal.KeyHasher;
import jakarta.json.JsonObject;
import java.net.URL;
import java.util.Map;
import java.util.UUID;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.api.options.KeysScanOptions;
import org.redisson.config.Config;

/** The demo on {@code apiauth.backend=redis} (the machine's Redis, a namespace of the test's own, deleted after). */
@ExtendWith(ArquillianExtension.class)
class RedisDemoIT {

    static final String BOOTSTRAP_KEY = new KeyCodec("ops_").generate();
    static final String NAMESPACE = "apiauth-it:" + UUID.randomUUID().toString().substring(0, 8) + ":";

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.demoWith("redis.war", Map.of(
                "apiauth.backend", "redis",
                "apiauth.redis.namespace", NAMESPACE,
                "apiauth.management.enabled", "true",
                "apiauth.bootstrap.admin-key-hash", KeyHasher.unpeppered().hash(BOOTSTRAP_KEY)));
    }

    @ArquillianResource
    URL url;

    Http http;

    @BeforeEach
    void client() {
        http = new Http(url);
    }

    @AfterAll
    static void deleteNamespace() {
        RedissonClient redis = redis();
        redis.getKeys().deleteByPattern(NAMESPACE + "*");
        redis.shutdown();
    }

    static RedissonClient redis() {
        Config config = new Config();
        config.useSingleServer().setAddress("redis://127.0.0.1:6379");
        return Redisson.create(config);
    }

    @Test
    void createUseRotateRevokeOnRedisAndNothingSecretStored() {
        String owner = "redis-" + UUID.randomUUID();
        Http.Response created = http.post("api/api-keys", "{\"name\":\"r\",\"ownerId\":\"" + owner + "\",\"scopes\":[\"admin\"]}",
                "X-API-Key", BOOTSTRAP_KEY);
        assertEquals(201, created.status(), created.toString());
        JsonObject body = created.json();
        String key = body.getString("key");
        assertEquals(200, http.get("api/admin", "X-API-Key", key).status());

        Http.Response rotated = http.post("api/api-keys/" + body.getString("id") + "/rotate", "{\"gracePeriod\":\"PT10M\"}",
                "X-API-Key", BOOTSTRAP_KEY);
        assertEquals(201, rotated.status(), rotated.toString());
        String successor = rotated.json().getString("key");
        assertEquals(200, http.get("api/hello", "X-API-Key", key).status(), "grace period");
        assertEquals(200, http.get("api/hello", "X-API-Key", successor).status());
        assertEquals(2, http.get("api/api-keys?ownerId=" + owner, "X-API-Key", BOOTSTRAP_KEY).json().getInt("total"));

        assertEquals(204, http.post("api/api-keys/" + body.getString("id") + "/revoke", null, "X-API-Key", BOOTSTRAP_KEY).status());
        Http.Response refused = http.get("api/hello", "X-API-Key", key);
        assertEquals(401, refused.status());
        assertEquals("revoked", refused.json().getString("reason"));

        RedissonClient redis = redis();
        try {
            StringBuilder dump = new StringBuilder();
            int keys = 0;
            for (String name : redis.getKeys().getKeys(KeysScanOptions.defaults().pattern(NAMESPACE + "*"))) {
                keys++;
                dump.append(name).append(' ').append(redis.getKeys().getType(name)).append(' ');
                if (name.contains(":key:")) {
                    dump.append(redis.getMap(name, org.redisson.client.codec.StringCodec.INSTANCE).readAllMap());
                }
                dump.append('\n');
            }
            assertTrue(keys >= 5, "the application wrote its keys under the namespace: " + dump);
            for (String plaintext : new String[] {key, successor, BOOTSTRAP_KEY}) {
                assertFalse(dump.toString().contains(plaintext.substring(plaintext.indexOf('_') + 5, plaintext.length() - 6)),
                        "a secret is in Redis");
            }
            assertTrue(dump.toString().contains(KeyHasher.unpeppered().hash(key)));
        } finally {
            redis.shutdown();
        }
    }
}
