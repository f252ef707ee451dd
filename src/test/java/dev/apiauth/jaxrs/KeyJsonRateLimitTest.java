package dev.apiauth.jaxrs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiauth.ApiKey;
import dev.apiauth.RateLimit;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The management API's rateLimit field: read strictly (a precise 400 naming the field), written back as read. */
class KeyJsonRateLimitTest {

    @Test
    void readsALimitOnCreateAndOnChange() {
        assertEquals(RateLimit.of(100, Duration.ofMinutes(1)),
                KeyJson.parseCreate("{\"name\":\"n\",\"ownerId\":\"o\",\"rateLimit\":{\"requests\":100,\"per\":\"PT1M\"}}").rateLimit());
        assertNull(KeyJson.parseCreate("{\"name\":\"n\",\"ownerId\":\"o\"}").rateLimit());
        assertEquals(RateLimit.of(5, Duration.ofSeconds(30)), KeyJson.parseUpdate("{\"rateLimit\":{\"requests\":5,\"per\":\"30\"}}"));
        assertNull(KeyJson.parseUpdate("{\"rateLimit\":null}"), "null removes the key's own limit");
    }

    @Test
    void refusesEveryMalformedLimitNamingTheField() {
        String[][] cases = {
                {"{}", "nothing to change"},
                {"{\"name\":\"x\"}", "unknown field"},
                {"{\"rateLimit\":100}", "rateLimit: expected an object"},
                {"{\"rateLimit\":{\"requests\":100}}", "rateLimit.per"},
                {"{\"rateLimit\":{\"per\":\"PT1M\"}}", "rateLimit.requests"},
                {"{\"rateLimit\":{\"requests\":\"100\",\"per\":\"PT1M\"}}", "rateLimit.requests"},
                {"{\"rateLimit\":{\"requests\":1.5,\"per\":\"PT1M\"}}", "rateLimit.requests"},
                {"{\"rateLimit\":{\"requests\":0,\"per\":\"PT1M\"}}", "rateLimit.requests"},
                {"{\"rateLimit\":{\"requests\":1e30,\"per\":\"PT1M\"}}", "rateLimit.requests"},
                {"{\"rateLimit\":{\"requests\":10,\"per\":60}}", "rateLimit.per"},
                {"{\"rateLimit\":{\"requests\":10,\"per\":\"soon\"}}", "rateLimit.per"},
                {"{\"rateLimit\":{\"requests\":10,\"per\":\"PT0.5S\"}}", "rateLimit.per"},
                {"{\"rateLimit\":{\"requests\":10,\"per\":\"P7D\"}}", "rateLimit.per"},
                {"{\"rateLimit\":{\"requests\":10,\"per\":\"PT1M\",\"burst\":5}}", "rateLimit: unknown field"},
        };
        for (String[] c : cases) {
            KeyJson.BadRequest e = assertThrows(KeyJson.BadRequest.class, () -> KeyJson.parseUpdate(c[0]), c[0]);
            assertTrue(e.getMessage().startsWith(c[1]) || e.getMessage().contains(c[1]), c[0] + " -> " + e.getMessage());
        }
    }

    @Test
    void writesTheLimitOrNull() {
        ApiKey key = new ApiKey(UUID.randomUUID(), "n", "o", "a".repeat(64), "ak_Ab12", Set.of(), Instant.EPOCH, null, null, null,
                Map.of(), RateLimit.of(100, Duration.ofMinutes(1)), 0);
        String json = KeyJson.record(key, Instant.EPOCH).build().toString();
        assertTrue(json.contains("\"rateLimit\":{\"requests\":100,\"per\":\"PT1M\"}"), json);
        assertTrue(KeyJson.record(key.withRateLimit(null), Instant.EPOCH).build().toString().contains("\"rateLimit\":null"));
        assertTrue(KeyJson.self(key, RateLimit.of(7, Duration.ofHours(1)), Instant.EPOCH).contains("\"rateLimit\":{\"requests\":7,\"per\":\"PT1H\"}"));
    }
}
