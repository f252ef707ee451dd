package dev.apiauth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ApiAuthConfigTest {

    private static ApiAuthConfig config(Map<String, String> values) {
        return ApiAuthConfig.from(key -> Optional.ofNullable(values.get(key)));
    }

    private static ApiAuthConfigurationException failure(Map<String, String> values) {
        return assertThrows(ApiAuthConfigurationException.class, () -> config(values));
    }

    @Test
    void defaultsMatchTheDocumentedTable() {
        ApiAuthConfig c = ApiAuthConfig.defaults();
        assertEquals("memory", c.backend());
        assertEquals("ak_", c.keyPrefix());
        assertEquals("X-API-Key", c.header());
        assertTrue(c.scheme().isEmpty());
        assertTrue(c.pepper().isEmpty());
        assertTrue(c.usageTracking());
        assertEquals(Duration.ofSeconds(60), c.usageFlushInterval());
        assertFalse(c.managementEnabled());
        assertEquals("api-keys", c.managementPath());
        assertEquals("apiauth:admin", c.managementScope());
        assertTrue(c.bootstrapAdminKeyHash().isEmpty());
    }

    @Test
    void valuesAreReadAndNormalised() {
        ApiAuthConfig c = config(Map.of(
                "apiauth.backend", " redis ",
                "apiauth.key-prefix", "live_",
                "apiauth.scheme", "Bearer",
                "apiauth.usage.flush-interval", "PT2M",
                "apiauth.usage.track", "FALSE",
                "apiauth.management.enabled", "true",
                "apiauth.management.path", "/admin/keys/",
                "apiauth.hash.pepper", "p".repeat(40)));
        assertEquals("redis", c.backend());
        assertEquals("live_", c.keyPrefix());
        assertEquals(Optional.of("Bearer"), c.scheme());
        assertEquals(Duration.ofMinutes(2), c.usageFlushInterval());
        assertFalse(c.usageTracking());
        assertTrue(c.managementEnabled());
        assertEquals("admin/keys", c.managementPath());
        assertEquals(40, c.pepper().orElseThrow().length);
        assertEquals(Duration.ofSeconds(15), config(Map.of("apiauth.usage.flush-interval", "15")).usageFlushInterval());
    }

    @Test
    void badPrefixNamesKeyValueAndRule() {
        String message = failure(Map.of("apiauth.key-prefix", "Prod-")).getMessage();
        assertTrue(message.contains("apiauth.key-prefix=Prod-"), message);
        assertTrue(message.contains("lowercase letters and digits, words joined by single underscores"), message);
    }

    @Test
    void maxActivePerOwnerIsAPositiveWholeNumberOrUnset() {
        assertEquals(0, config(Map.of()).maxActivePerOwner(), "no limit by default");
        assertEquals(25, config(Map.of("apiauth.keys.max-active-per-owner", "25")).maxActivePerOwner());
        for (String bad : new String[] {"0", "-1", "many", "2.5"}) {
            String message = failure(Map.of("apiauth.keys.max-active-per-owner", bad)).getMessage();
            assertTrue(message.contains("apiauth.keys.max-active-per-owner=" + bad + " is invalid; expected a whole number from 1"), message);
        }
    }

    @Test
    void everyWrongValueIsReportedAtOnce() {
        ApiAuthConfigurationException e = failure(Map.of(
                "apiauth.usage.track", "yes",
                "apiauth.usage.flush-interval", "0",
                "apiauth.header", "X API Key",
                "apiauth.scheme", "Bear er",
                "apiauth.management.enabled", "on",
                "apiauth.bootstrap.admin-key-hash", "abc"));
        assertEquals(6, e.problems().size(), e.getMessage());
        assertTrue(e.getMessage().contains("apiauth.usage.track=yes is invalid; expected true or false"), e.getMessage());
        assertTrue(e.getMessage().contains("apiauth.usage.flush-interval=0 is invalid; expected a positive duration"), e.getMessage());
        assertTrue(e.getMessage().contains("apiauth.bootstrap.admin-key-hash is invalid (value not shown): 3 characters"), e.getMessage());
    }

    @Test
    void badDurationsAreRefused() {
        for (String bad : new String[] {"-5", "PT0S", "soon", "5m"}) {
            assertTrue(failure(Map.of("apiauth.usage.flush-interval", bad)).getMessage().contains("apiauth.usage.flush-interval=" + bad));
        }
    }

    @Test
    void pepperIsNeverPrinted() {
        ApiAuthConfig c = config(Map.of("apiauth.hash.pepper", "super-secret-pepper-value-0123456789"));
        assertFalse(c.toString().contains("super-secret"), c.toString());
    }

    @Test
    void aKeyPastedWhereItsHashBelongsIsRecognisedAndNeverPrinted() {
        String key = new dev.apiauth.internal.KeyCodec("ops_").generate();
        String message = failure(Map.of("apiauth.bootstrap.admin-key-hash", key)).getMessage();
        assertTrue(message.contains("looks like an API key, not its hash"), message);
        assertFalse(message.contains(key.substring(4, 20)), "no part of the key's secret is printed: " + message);
    }

    @Test
    void aConfiguredBootstrapKeyIsWarnedAboutAtEveryStart() {
        java.util.List<String> warnings = new java.util.ArrayList<>();
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                if (r.getLevel() == java.util.logging.Level.WARNING) {
                    warnings.add(r.getMessage());
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        java.util.logging.Logger logger = java.util.logging.Logger.getLogger(ApiAuthConfig.class.getName());
        logger.addHandler(capture);
        try {
            String hash = dev.apiauth.internal.KeyHasher.unpeppered().hash(new dev.apiauth.internal.KeyCodec("ops_").generate());
            config(Map.of("apiauth.bootstrap.admin-key-hash", hash));
            config(Map.of("apiauth.bootstrap.admin-key-hash", hash));
        } finally {
            logger.removeHandler(capture);
        }
        assertEquals(2, warnings.stream().filter(w -> w.startsWith("apiauth.bootstrap.admin-key-hash is set")).count(), warnings.toString());
    }

    @Test
    void aWrongHashIsNotPrintedEither() {
        String message = failure(Map.of("apiauth.bootstrap.admin-key-hash", "not-a-hash-but-maybe-a-secret")).getMessage();
        assertFalse(message.contains("maybe-a-secret"), message);
        assertTrue(message.contains("64 lowercase hex"), message);
    }

    @Test
    void credentialsInAWrongUriValueAreNeverPrinted() {
        dev.apiauth.internal.ConfigReader in = new dev.apiauth.internal.ConfigReader(k -> Optional.of("rediss://admin:hunter2@redis host:6380"));
        in.matching("apiauth.redis.address", null, java.util.regex.Pattern.compile("rediss?://\\S+"), "a Redis URI");
        ApiAuthConfigurationException e = assertThrows(ApiAuthConfigurationException.class, in::throwIfProblems);
        assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
        assertFalse(e.getMessage().contains("admin:"), e.getMessage());
        assertTrue(e.getMessage().contains("apiauth.redis.address=rediss://***@redis host:6380 is invalid"), e.getMessage());
    }

    @Test
    void blankValuesCountAsAbsent() {
        assertEquals("ak_", config(Map.of("apiauth.key-prefix", "  ")).keyPrefix());
    }
}
