package dev.apiauth;

import dev.apiauth.internal.ConfigReader;
import dev.apiauth.internal.KeyCodec;
import dev.apiauth.internal.KeyHasher;
import dev.apiauth.internal.Secrets;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * The {@code apiauth.*} configuration, read once at deployment and frozen. {@link #from(Function)} checks
 * every key and reports all wrong values at once, naming key, value and what was expected; risky but
 * legal values are accepted with one WARNING each.
 */
public final class ApiAuthConfig {

    public static final String BACKEND = "apiauth.backend";
    public static final String KEY_PREFIX = "apiauth.key-prefix";
    public static final String HEADER = "apiauth.header";
    public static final String SCHEME = "apiauth.scheme";
    public static final String HASH_PEPPER = "apiauth.hash.pepper";
    public static final String USAGE_TRACK = "apiauth.usage.track";
    public static final String USAGE_FLUSH_INTERVAL = "apiauth.usage.flush-interval";
    public static final String MANAGEMENT_ENABLED = "apiauth.management.enabled";
    public static final String MANAGEMENT_PATH = "apiauth.management.path";
    public static final String MANAGEMENT_SCOPE = "apiauth.management.scope";
    public static final String BOOTSTRAP_ADMIN_KEY_HASH = "apiauth.bootstrap.admin-key-hash";
    public static final String MAX_ACTIVE_PER_OWNER = "apiauth.keys.max-active-per-owner";
    public static final String RATE_LIMIT_DEFAULT = "apiauth.rate-limit.default";
    public static final String RATE_LIMIT_SHARED = "apiauth.rate-limit.shared";
    public static final String METRICS_ENABLED = "apiauth.metrics.enabled";
    public static final String HEALTH_ENABLED = "apiauth.health.enabled";
    public static final String OPENAPI_ENABLED = "apiauth.openapi.enabled";
    /** The application's own OASFilter, run after the library's (MP OpenAPI takes one filter: {@code mp.openapi.filter}). */
    public static final String OPENAPI_FILTER = "apiauth.openapi.filter";
    public static final String GITHUB_ALERTS_ENABLED = "apiauth.leak-alerts.github.enabled";
    public static final String GITHUB_ALERTS_KEYS = "apiauth.leak-alerts.github.public-keys";
    public static final String DEFAULT_GITHUB_ALERTS_KEYS = "https://api.github.com/meta/public_keys/secret_scanning";

    public static final String DEFAULT_BACKEND = "memory";
    public static final String DEFAULT_PREFIX = "ak_";
    public static final String DEFAULT_HEADER = "X-API-Key";
    public static final Duration DEFAULT_FLUSH_INTERVAL = Duration.ofSeconds(60);
    public static final String DEFAULT_MANAGEMENT_PATH = "api-keys";
    public static final String DEFAULT_MANAGEMENT_SCOPE = "apiauth:admin";

    private static final Logger LOG = Logger.getLogger(ApiAuthConfig.class.getName());
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    private static final Pattern JAVA_CLASS_NAME = Pattern.compile("[\\p{L}_$][\\p{L}\\p{N}_$]*(\\.[\\p{L}_$][\\p{L}\\p{N}_$]*)*");
    private static final Pattern PATH = Pattern.compile("[A-Za-z0-9._~-]+(/[A-Za-z0-9._~-]+)*");
    private static final Pattern SCOPE = Pattern.compile("\\S+");
    private static final Pattern KEYS_SOURCE = Pattern.compile("(https://|file:)\\S+");
    private static final Set<String> COMMON_SCHEMES = Set.of("bearer", "apikey", "api-key", "token");
    private static final int MIN_PEPPER_BYTES = 32;

    private final String backend;
    private final String keyPrefix;
    private final String header;
    private final String scheme;
    private final byte[] pepper;
    private final boolean usageTracking;
    private final Duration usageFlushInterval;
    private final boolean managementEnabled;
    private final String managementPath;
    private final String managementScope;
    private final String bootstrapAdminKeyHash;
    private final int maxActivePerOwner;
    private final boolean githubAlertsEnabled;
    private final RateLimit defaultRateLimit;
    private final boolean rateLimitShared;
    private final boolean metricsEnabled;
    private final boolean healthEnabled;
    private final boolean openApiEnabled;
    private final String openApiFilter;
    private final String githubAlertsKeys;

    private ApiAuthConfig(ConfigReader in) {
        backend = in.string(BACKEND, DEFAULT_BACKEND);
        keyPrefix = in.matching(KEY_PREFIX, DEFAULT_PREFIX, KeyCodec.PREFIX, KeyCodec.PREFIX_RULE);
        header = in.matching(HEADER, DEFAULT_HEADER, TOKEN, "an HTTP header name such as X-API-Key");
        scheme = in.optionalMatching(SCHEME, TOKEN, "an HTTP authentication scheme such as Bearer");
        String pepperText = in.optionalString(HASH_PEPPER);
        pepper = pepperText == null ? null : pepperText.getBytes(StandardCharsets.UTF_8);
        usageTracking = in.bool(USAGE_TRACK, true);
        usageFlushInterval = in.positiveDuration(USAGE_FLUSH_INTERVAL, DEFAULT_FLUSH_INTERVAL);
        managementEnabled = in.bool(MANAGEMENT_ENABLED, false);
        managementPath = in.matching(MANAGEMENT_PATH, DEFAULT_MANAGEMENT_PATH, PATH,
                "a URL path under the JAX-RS application such as api-keys or admin/keys", ApiAuthConfig::stripSlashes);
        managementScope = in.matching(MANAGEMENT_SCOPE, DEFAULT_MANAGEMENT_SCOPE, SCOPE, "a scope without whitespace");
        String hash = in.optionalString(BOOTSTRAP_ADMIN_KEY_HASH);
        if (hash != null && !KeyHasher.isHash(hash)) {
            if (Secrets.looksLikeKey(hash)) {
                in.problemWithoutValue(BOOTSTRAP_ADMIN_KEY_HASH, "this looks like an API key, not its hash. Never configure"
                        + " the key itself: configure its hash, 64 lowercase hex characters, as printed by"
                        + " 'java -jar jakarta-api-auth.jar generate' (and treat the pasted key as leaked)");
            } else {
                in.problemWithoutValue(BOOTSTRAP_ADMIN_KEY_HASH, hash.length() + " characters; expected 64 lowercase hex"
                        + " characters, as printed by 'java -jar jakarta-api-auth.jar generate'");
            }
            hash = null;
        }
        bootstrapAdminKeyHash = hash;
        maxActivePerOwner = in.positiveInt(MAX_ACTIVE_PER_OWNER, 1_000_000);
        githubAlertsEnabled = in.bool(GITHUB_ALERTS_ENABLED, false);
        defaultRateLimit = rateLimit(in, RATE_LIMIT_DEFAULT);
        rateLimitShared = in.bool(RATE_LIMIT_SHARED, true);
        metricsEnabled = in.bool(METRICS_ENABLED, true);
        healthEnabled = in.bool(HEALTH_ENABLED, true);
        openApiEnabled = in.bool(OPENAPI_ENABLED, true);
        openApiFilter = in.optionalMatching(OPENAPI_FILTER, JAVA_CLASS_NAME, "the fully qualified name of an OASFilter class");
        githubAlertsKeys = in.matching(GITHUB_ALERTS_KEYS, DEFAULT_GITHUB_ALERTS_KEYS, KEYS_SOURCE,
                "an https:// URL of GitHub's secret-scanning public keys, or a file: URI of a copy");
        in.throwIfProblems();
        warnAboutRiskyValues();
    }

    /**
     * Reads and checks every {@code apiauth.*} key through {@code lookup} (a MicroProfile {@code Config}'s
     * {@code getOptionalValue(key, String.class)}, or a map's {@code get} in tests).
     *
     * @throws ApiAuthConfigurationException listing every wrong value
     */
    public static ApiAuthConfig from(Function<String, Optional<String>> lookup) {
        return new ApiAuthConfig(new ConfigReader(lookup));
    }

    /** Every default. */
    public static ApiAuthConfig defaults() {
        return from(key -> Optional.empty());
    }

    private static RateLimit rateLimit(ConfigReader in, String key) {
        String text = in.optionalString(key);
        if (text == null || text.isBlank() || text.strip().equalsIgnoreCase("none")) {
            return null;
        }
        try {
            return RateLimit.parse(text.strip());
        } catch (IllegalArgumentException e) {
            in.problem(key, text, "<requests>/<period> such as 100/PT1M or 100/60 (" + RateLimit.RULE + "), or none; "
                    + e.getMessage());
            return null;
        }
    }

    private static String stripSlashes(String path) {
        int start = 0;
        int end = path.length();
        while (start < end && path.charAt(start) == '/') {
            start++;
        }
        while (end > start && path.charAt(end - 1) == '/') {
            end--;
        }
        return path.substring(start, end);
    }

    private void warnAboutRiskyValues() {
        if (scheme != null && !COMMON_SCHEMES.contains(scheme.toLowerCase(Locale.ROOT))) {
            LOG.warning(SCHEME + "=" + scheme + " is not a common scheme (Bearer, ApiKey, Token): clients must send"
                    + " 'Authorization: " + scheme + " <key>' exactly; check for a typo");
        }
        if (pepper != null && pepper.length < MIN_PEPPER_BYTES) {
            LOG.warning(HASH_PEPPER + " is " + pepper.length + " bytes long; use at least " + MIN_PEPPER_BYTES
                    + " random bytes (e.g. 'openssl rand -base64 32') so that the pepper adds real secrecy");
        }
        if (bootstrapAdminKeyHash != null) {
            LOG.warning(BOOTSTRAP_ADMIN_KEY_HASH + " is set: its key is accepted by the management API (scope " + managementScope
                    + ") and nowhere else, without being stored or revocable. Create real admin keys with it, then remove"
                    + " the setting");
        }
        if (managementEnabled && bootstrapAdminKeyHash == null) {
            LOG.info(MANAGEMENT_ENABLED + "=true without " + BOOTSTRAP_ADMIN_KEY_HASH
                    + ": only keys created through ApiKeyService with scope " + managementScope + " can call it");
        }
    }

    /** Whether GitHub secret-scanning alerts are accepted at {@code <management path>/github-secret-scanning}. */
    public boolean githubAlertsEnabled() {
        return githubAlertsEnabled;
    }

    /** Where GitHub's secret-scanning public keys are read from: an https URL or a file: URI. */
    public String githubAlertsKeys() {
        return githubAlertsKeys;
    }

    /** Whether the library registers its metrics where the server has MP Metrics. */
    public boolean metricsEnabled() {
        return metricsEnabled;
    }

    /** Whether the library adds its readiness check where the server has MP Health. */
    public boolean healthEnabled() {
        return healthEnabled;
    }

    /** Whether the library adds its security scheme and operations to MicroProfile OpenAPI's document. */
    public boolean openApiEnabled() {
        return openApiEnabled;
    }

    /** The application's own OASFilter class name, run after the library's; null when none. */
    public String openApiFilter() {
        return openApiFilter;
    }

    /**
     * Whether limits are counted in the backend's shared store where it has one (the Redis backends): exact across
     * nodes, one Redis round trip per limited request. False: each node counts alone.
     */
    public boolean rateLimitShared() {
        return rateLimitShared;
    }

    /** The limit of keys without one of their own; empty: such keys are not limited. */
    public Optional<RateLimit> defaultRateLimit() {
        return Optional.ofNullable(defaultRateLimit);
    }

    /** The most active keys one owner may hold ({@code 409} on the next create), or 0: no limit. */
    public int maxActivePerOwner() {
        return maxActivePerOwner;
    }

    public String backend() {
        return backend;
    }

    public String keyPrefix() {
        return keyPrefix;
    }

    public String header() {
        return header;
    }

    /** The {@code Authorization} scheme to read the key from, e.g. {@code Bearer}; empty means use {@link #header()}. */
    public Optional<String> scheme() {
        return Optional.ofNullable(scheme);
    }

    /** The pepper's bytes (a copy), or empty when keys are hashed with plain SHA-256. */
    public Optional<byte[]> pepper() {
        return pepper == null ? Optional.empty() : Optional.of(Arrays.copyOf(pepper, pepper.length));
    }

    public boolean usageTracking() {
        return usageTracking;
    }

    public Duration usageFlushInterval() {
        return usageFlushInterval;
    }

    public boolean managementEnabled() {
        return managementEnabled;
    }

    public String managementPath() {
        return managementPath;
    }

    public String managementScope() {
        return managementScope;
    }

    public Optional<String> bootstrapAdminKeyHash() {
        return Optional.ofNullable(bootstrapAdminKeyHash);
    }

    /** Never prints the pepper. */
    @Override
    public String toString() {
        return "ApiAuthConfig[backend=" + backend + ", keyPrefix=" + keyPrefix + ", header=" + header + ", scheme=" + scheme
                + ", pepper=" + (pepper == null ? "none" : "set") + ", usageTracking=" + usageTracking
                + ", usageFlushInterval=" + usageFlushInterval + ", managementEnabled=" + managementEnabled
                + ", managementPath=" + managementPath + ", managementScope=" + managementScope
                + ", bootstrapAdminKey=" + (bootstrapAdminKeyHash == null ? "none" : "set")
                + ", defaultRateLimit=" + (defaultRateLimit == null ? "none" : defaultRateLimit) + "]";
    }
}
