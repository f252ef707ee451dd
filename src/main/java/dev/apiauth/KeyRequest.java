package dev.apiauth;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What {@link ApiKeyService#create(KeyRequest)} needs to issue a key.
 *
 * @param name      a human-readable label, not blank
 * @param ownerId   who the key belongs to (user, tenant, service), not blank
 * @param scopes    scopes granted, none blank; may be empty
 * @param expiresAt optional expiry, must be in the future
 * @param metadata  optional free-form strings kept with the record
 * @param rateLimit optional limit of the key's requests; null: the configured default applies
 */
public record KeyRequest(String name, String ownerId, Set<String> scopes, Instant expiresAt, Map<String, String> metadata,
                         RateLimit rateLimit) {

    public KeyRequest {
        scopes = scopes == null ? Set.of() : Set.copyOf(scopes);
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }

    /** A request without a rate limit of its own. */
    public KeyRequest(String name, String ownerId, Set<String> scopes, Instant expiresAt, Map<String, String> metadata) {
        this(name, ownerId, scopes, expiresAt, metadata, null);
    }

    public static KeyRequest of(String name, String ownerId, String... scopes) {
        return new KeyRequest(name, ownerId, Set.of(scopes), null, null);
    }

    public KeyRequest expiringAt(Instant at) {
        return new KeyRequest(name, ownerId, scopes, Objects.requireNonNull(at), metadata, rateLimit);
    }

    public KeyRequest withMetadata(Map<String, String> values) {
        return new KeyRequest(name, ownerId, scopes, expiresAt, values, rateLimit);
    }

    /** The same request with the key's own rate limit. */
    public KeyRequest withRateLimit(RateLimit limit) {
        return new KeyRequest(name, ownerId, scopes, expiresAt, metadata, limit);
    }
}
