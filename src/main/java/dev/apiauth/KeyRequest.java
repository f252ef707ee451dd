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
 */
public record KeyRequest(String name, String ownerId, Set<String> scopes, Instant expiresAt, Map<String, String> metadata) {

    public KeyRequest {
        scopes = scopes == null ? Set.of() : Set.copyOf(scopes);
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }

    public static KeyRequest of(String name, String ownerId, String... scopes) {
        return new KeyRequest(name, ownerId, Set.of(scopes), null, null);
    }

    public KeyRequest expiringAt(Instant at) {
        return new KeyRequest(name, ownerId, scopes, Objects.requireNonNull(at), metadata);
    }

    public KeyRequest withMetadata(Map<String, String> values) {
        return new KeyRequest(name, ownerId, scopes, expiresAt, values);
    }
}
