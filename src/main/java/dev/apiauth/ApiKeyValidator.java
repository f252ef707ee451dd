package dev.apiauth;

import dev.apiauth.ValidationResult.Outcome;
import dev.apiauth.backend.Backend;
import dev.apiauth.internal.KeyCodec;
import dev.apiauth.internal.KeyHasher;
import dev.apiauth.internal.UsageTracker;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Decides whether a presented key may pass: shape and checksum first (no lookup for garbage), then one
 * {@link Backend#getByHash} lookup, then revocation, expiry and scopes. Never throws for anything a
 * client sends; a failing backend is {@link ValidationResult.Outcome#BACKEND_UNAVAILABLE}.
 * Obtain one from {@link ApiKeyService#validator()}.
 */
public final class ApiKeyValidator {

    private static final Logger LOG = Logger.getLogger(ApiKeyValidator.class.getName());
    private static final long FAILURE_LOG_INTERVAL_NANOS = 10_000_000_000L;

    private final Backend backend;
    private final KeyHasher hasher;
    private final Clock clock;
    private final UsageTracker usage;
    private final ApiKey bootstrapKey;
    private volatile long lastFailureLogged = Long.MIN_VALUE;

    private final ApiAuthMetrics metrics;

    ApiKeyValidator(Backend backend, KeyHasher hasher, Clock clock, UsageTracker usage, ApiKey bootstrapKey) {
        this(backend, hasher, clock, usage, bootstrapKey, ApiAuthMetrics.NONE);
    }

    ApiKeyValidator(Backend backend, KeyHasher hasher, Clock clock, UsageTracker usage, ApiKey bootstrapKey, ApiAuthMetrics metrics) {
        this.metrics = metrics;
        this.backend = backend;
        this.hasher = hasher;
        this.clock = clock;
        this.usage = usage;
        this.bootstrapKey = bootstrapKey;
    }

    /**
     * @param presented the key as sent by the client, or null when none was sent
     * @param required  the scopes the endpoint needs
     */
    public ValidationResult validate(String presented, ScopeRequirement required) {
        return validate(presented, required, false);
    }

    /**
     * As {@link #validate(String, ScopeRequirement)}, but also accepting the operator's bootstrap admin key
     * ({@code apiauth.bootstrap.admin-key-hash}); only the management API asks this, so the bootstrap key
     * opens nothing else.
     */
    public ValidationResult validateManagement(String presented, ScopeRequirement required) {
        return validate(presented, required, true);
    }

    private ValidationResult validate(String presented, ScopeRequirement required, boolean acceptBootstrap) {
        if (presented == null || presented.isEmpty()) {
            return ValidationResult.MISSING;
        }
        if (!KeyCodec.hasKeyLength(presented.length())) {
            return ValidationResult.MALFORMED;
        }
        byte[] ascii = presented.getBytes(StandardCharsets.ISO_8859_1); // checked, then hashed: one copy
        if (!KeyCodec.isWellFormed(ascii)) {
            return ValidationResult.MALFORMED;
        }
        String hash = hasher.hash(ascii);
        ApiKey key;
        if (bootstrapKey != null && hash.equals(bootstrapKey.keyHash())) { // hashes are not secret
            if (!acceptBootstrap) {
                return ValidationResult.UNKNOWN; // the bootstrap key is not a key of the application's endpoints
            }
            key = bootstrapKey;
        } else {
            long start = metrics.enabled() ? System.nanoTime() : 0;
            try {
                key = backend.getByHash(hash).orElse(null);
            } catch (RuntimeException e) {
                logBackendFailure(e);
                return ValidationResult.BACKEND_UNAVAILABLE;
            } finally {
                if (start != 0) {
                    metrics.lookup(System.nanoTime() - start);
                }
            }
            if (key == null) {
                return ValidationResult.UNKNOWN;
            }
            if (!hash.equals(key.keyHash())) {
                LOG.severe("backend " + backend.getClass().getName() + " returned key " + key.id()
                        + " for a different hash; refusing the request. The backend breaks the getByHash contract.");
                return ValidationResult.UNKNOWN;
            }
        }
        if (key.isRevoked()) {
            return ValidationResult.refused(Outcome.REVOKED, key);
        }
        Instant now = clock.instant();
        if (key.isExpiredAt(now)) {
            return ValidationResult.refused(Outcome.EXPIRED, key);
        }
        if (!required.isSatisfiedBy(key.scopes())) {
            return ValidationResult.refused(Outcome.INSUFFICIENT_SCOPE, key);
        }
        if (usage != null && key != bootstrapKey) {
            usage.record(key.id(), now);
        }
        return ValidationResult.valid(key);
    }

    /** One WARNING per ten seconds while the backend is down, the rest at FINE: an outage must not flood the log. */
    private void logBackendFailure(RuntimeException e) {
        long now = System.nanoTime();
        long last = lastFailureLogged;
        if (last == Long.MIN_VALUE || now - last > FAILURE_LOG_INTERVAL_NANOS) {
            lastFailureLogged = now;
            LOG.log(Level.WARNING, "API key lookup failed; refusing requests with 503 until the backend answers again", e);
        } else {
            LOG.log(Level.FINE, "API key lookup failed: {0}", e.toString());
        }
    }
}
