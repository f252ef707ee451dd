package dev.apiauth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RateLimitTest {

    @Test
    void parsesIsoAndSecondsAndPrintsWhatItParses() {
        assertEquals(RateLimit.of(100, Duration.ofMinutes(1)), RateLimit.parse("100/PT1M"));
        assertEquals(RateLimit.of(100, Duration.ofMinutes(1)), RateLimit.parse("100/60"));
        assertEquals(RateLimit.of(5, Duration.ofHours(1)), RateLimit.parse(" 5 / pt1h "));
        assertEquals("100/PT1M", RateLimit.parse("100/60").toString());
        assertEquals(RateLimit.parse("7/PT1H"), RateLimit.parse(RateLimit.parse("7/PT1H").toString()));
    }

    @Test
    void refusesWhatCannotBeALimit() {
        for (String bad : new String[] {"", "100", "/PT1M", "x/PT1M", "100/", "100/soon", "0/PT1M", "-1/PT1M",
                "1000001/PT1M", "100/PT0S", "100/PT0.5S", "100/PT1.5S", "100/P2D", "100/-60", "99999999999/PT1M"}) {
            assertThrows(IllegalArgumentException.class, () -> RateLimit.parse(bad), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> RateLimit.parse(null));
        assertThrows(NullPointerException.class, () -> RateLimit.of(1, null));
    }

    @Test
    void theDefaultComesFromConfigAndABadOneFailsNamingTheKey() {
        assertEquals(Optional.empty(), ApiAuthConfig.defaults().defaultRateLimit());
        assertEquals(Optional.of(RateLimit.of(10, Duration.ofSeconds(1))),
                ApiAuthConfig.from(k -> Optional.ofNullable(Map.of(ApiAuthConfig.RATE_LIMIT_DEFAULT, "10/PT1S").get(k))).defaultRateLimit());
        assertEquals(Optional.empty(),
                ApiAuthConfig.from(k -> Optional.ofNullable(Map.of(ApiAuthConfig.RATE_LIMIT_DEFAULT, "none").get(k))).defaultRateLimit());
        ApiAuthConfigurationException e = assertThrows(ApiAuthConfigurationException.class,
                () -> ApiAuthConfig.from(k -> Optional.ofNullable(Map.of(ApiAuthConfig.RATE_LIMIT_DEFAULT, "100 per minute").get(k))));
        assertTrue(e.getMessage().contains(ApiAuthConfig.RATE_LIMIT_DEFAULT) && e.getMessage().contains("100/PT1M"), e.getMessage());
    }
}
