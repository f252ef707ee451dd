package dev.apiauth;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * A stored API key: everything about it except the key itself.
 *
 * <p>The plaintext is never part of a record; {@link #keyHash()} is SHA-256 (or HMAC-SHA256 with a
 * pepper) of the key, hex encoded, and {@link #hint()} is the prefix plus the first four characters
 * of the secret, enough for a person to recognise a key in a list.
 *
 * <p>{@link #rateLimit()} is the key's own limit, or null when the configured default (if any) applies.
 *
 * <p>{@link #version()} is the optimistic-locking counter: a backend's {@code update} only succeeds
 * when the record it is given carries the version it currently stores, and stores {@code version + 1}.
 */
public record ApiKey(
        UUID id,
        String name,
        String ownerId,
        String keyHash,
        String hint,
        Set<String> scopes,
        Instant createdAt,
        Instant expiresAt,
        Instant lastUsedAt,
        Instant revokedAt,
        Map<String, String> metadata,
        RateLimit rateLimit,
        long version) {

    public ApiKey {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(ownerId, "ownerId");
        Objects.requireNonNull(keyHash, "keyHash");
        Objects.requireNonNull(hint, "hint");
        Objects.requireNonNull(createdAt, "createdAt");
        scopes = scopes == null ? Set.of() : Set.copyOf(scopes);
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }

    /** A record without a rate limit of its own (the form before rate limits existed). */
    public ApiKey(UUID id, String name, String ownerId, String keyHash, String hint, Set<String> scopes, Instant createdAt,
                  Instant expiresAt, Instant lastUsedAt, Instant revokedAt, Map<String, String> metadata, long version) {
        this(id, name, ownerId, keyHash, hint, scopes, createdAt, expiresAt, lastUsedAt, revokedAt, metadata, null, version);
    }

    /** True once the key has been revoked; a revoked key never validates again. */
    public boolean isRevoked() {
        return revokedAt != null;
    }

    /** True when the key has an expiry and {@code now} is at or past it. */
    public boolean isExpiredAt(Instant now) {
        return expiresAt != null && !now.isBefore(expiresAt);
    }

    /** Neither revoked nor expired at {@code now}. */
    public boolean isActiveAt(Instant now) {
        return !isRevoked() && !isExpiredAt(now);
    }

    public ApiKey withRevokedAt(Instant at) {
        return new ApiKey(id, name, ownerId, keyHash, hint, scopes, createdAt, expiresAt, lastUsedAt, at, metadata, rateLimit, version);
    }

    public ApiKey withExpiresAt(Instant at) {
        return new ApiKey(id, name, ownerId, keyHash, hint, scopes, createdAt, at, lastUsedAt, revokedAt, metadata, rateLimit, version);
    }

    public ApiKey withLastUsedAt(Instant at) {
        return new ApiKey(id, name, ownerId, keyHash, hint, scopes, createdAt, expiresAt, at, revokedAt, metadata, rateLimit, version);
    }

    /** The same record with its own limit {@code limit} (null: the configured default applies). */
    public ApiKey withRateLimit(RateLimit limit) {
        return new ApiKey(id, name, ownerId, keyHash, hint, scopes, createdAt, expiresAt, lastUsedAt, revokedAt, metadata, limit, version);
    }

    /** For backends: the record as stored with a new version number. */
    public ApiKey withVersion(long newVersion) {
        return new ApiKey(id, name, ownerId, keyHash, hint, scopes, createdAt, expiresAt, lastUsedAt, revokedAt, metadata, rateLimit, newVersion);
    }

    /** Leaves out the hash: records end up in logs more often than one would like. */
    @Override
    public String toString() {
        return "ApiKey[id=" + id + ", name=" + name + ", ownerId=" + ownerId + ", hint=" + hint + ", scopes=" + scopes
                + ", createdAt=" + createdAt + ", expiresAt=" + expiresAt + ", lastUsedAt=" + lastUsedAt
                + ", revokedAt=" + revokedAt + ", rateLimit=" + rateLimit + ", version=" + version + "]";
    }
}
