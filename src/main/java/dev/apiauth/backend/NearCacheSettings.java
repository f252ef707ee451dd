package dev.apiauth.backend;

import dev.apiauth.ApiAuthConfigurationException;
import dev.apiauth.internal.ConfigReader;
import java.time.Duration;

/**
 * The near cache's settings, shared by {@code redis}, {@code redis-cache} and {@code jpa}: {@code apiauth.cache.local} (on/off),
 * {@code apiauth.cache.local.max-staleness} (how long a node may go on answering from memory without confirmation that
 * invalidations reach it; default 1 s), {@code apiauth.cache.ttl} and {@code apiauth.cache.negative-ttl} (how long an
 * entry lives at most) and the size bound.
 *
 * @param enabled      whether lookups are answered from this JVM's memory
 * @param ttl          the longest a known key's record is kept
 * @param negativeTtl  the longest "no such key" is kept
 * @param maxStaleness the staleness bound: past it without a confirmed subscription the near cache answers nothing
 * @param maxSize      entries per kind (known keys and unknown ones are bounded separately)
 */
public record NearCacheSettings(boolean enabled, Duration ttl, Duration negativeTtl, Duration maxStaleness, int maxSize) {

    /** @throws IllegalArgumentException for a non-positive duration, a bound outside {@value #BOUNDS}, or no room */
    public NearCacheSettings {
        for (Duration d : new Duration[] {ttl, negativeTtl}) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("near cache durations must be positive: " + d);
            }
        }
        if (maxStaleness == null || maxStaleness.compareTo(MIN_STALENESS) < 0 || maxStaleness.compareTo(MAX_MAX_STALENESS) > 0) {
            throw new IllegalArgumentException("max staleness must be " + BOUNDS + ": " + maxStaleness);
        }
        if (maxSize < 1) {
            throw new IllegalArgumentException("max size must be at least 1: " + maxSize);
        }
    }

    public static final String LOCAL = "apiauth.cache.local";
    public static final String MAX_STALENESS = "apiauth.cache.local.max-staleness";
    public static final String TTL = "apiauth.cache.ttl";
    public static final String NEGATIVE_TTL = "apiauth.cache.negative-ttl";
    /** The default staleness bound. */
    public static final Duration DEFAULT_MAX_STALENESS = Duration.ofSeconds(1);
    public static final int DEFAULT_SIZE = 10_000;
    static final Duration MIN_STALENESS = Duration.ofMillis(100);
    static final String BOUNDS = "from PT0.1S to PT1M";
    static final Duration MAX_MAX_STALENESS = Duration.ofMinutes(1);

    /** No near cache. */
    public static final NearCacheSettings OFF = new NearCacheSettings(false, Duration.ofSeconds(300), Duration.ofSeconds(5),
            DEFAULT_MAX_STALENESS, DEFAULT_SIZE);

    /** On, with the default staleness bound (1 s) and size (10,000 known and 10,000 unknown keys). */
    public static NearCacheSettings on(Duration ttl, Duration negativeTtl) {
        return new NearCacheSettings(true, ttl, negativeTtl, DEFAULT_MAX_STALENESS, DEFAULT_SIZE);
    }

    /** Reads the settings; problems are recorded in {@code in} (the caller throws them all at once). */
    public static NearCacheSettings read(ConfigReader in) {
        boolean enabled = in.bool(LOCAL, false);
        Duration ttl = in.positiveDuration(TTL, Duration.ofSeconds(300));
        Duration negativeTtl = in.positiveDuration(NEGATIVE_TTL, Duration.ofSeconds(5));
        Duration staleness = in.positiveDuration(MAX_STALENESS, DEFAULT_MAX_STALENESS);
        if (staleness.compareTo(MIN_STALENESS) < 0 || staleness.compareTo(MAX_MAX_STALENESS) > 0) {
            in.problem(MAX_STALENESS, in.optionalString(MAX_STALENESS), "a duration " + BOUNDS + " (ISO-8601, e.g. PT1S or PT0.5S)");
            staleness = DEFAULT_MAX_STALENESS;
        }
        return new NearCacheSettings(enabled, ttl, negativeTtl, staleness, DEFAULT_SIZE);
    }

    /** Fails clearly when the near cache is on but its cache library was left out of the application. */
    public void requireCaffeine() {
        if (!enabled) {
            return;
        }
        try {
            Class.forName("com.github.benmanes.caffeine.cache.Caffeine", false, NearCacheSettings.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            throw new ApiAuthConfigurationException(LOCAL + "=true needs Caffeine (com.github.ben-manes.caffeine:caffeine 3.x)"
                    + " in the application: it is a dependency of jakarta-api-auth that this build left out; add it, or set "
                    + LOCAL + "=false");
        }
    }

    @Override
    public String toString() {
        return enabled ? "near cache on (max staleness " + maxStaleness + ", ttl " + ttl + ", negative ttl " + negativeTtl + ")"
                : "near cache off";
    }
}
