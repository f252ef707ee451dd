package dev.apiauth.backend.jpa;

import dev.apiauth.ApiKey;
import dev.apiauth.RateLimit;
import dev.apiauth.internal.RecordCodec;
import jakarta.persistence.Cacheable;
import jakarta.persistence.Column;
import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.time.Instant;
import java.util.UUID;

/**
 * The table {@code apiauth_keys}: one row per key, found by the unique index on {@code key_hash}. Scopes are
 * stored space-separated (a scope never contains whitespace) and metadata form-encoded, so a lookup is one
 * row from one table on every database. Never cached in the JPA shared cache: a revocation written by one
 * node must be seen by the next request on any other.
 *
 * <p>To keep keys in your own persistence unit, add {@code <mapping-file>META-INF/apiauth/orm.xml</mapping-file>}
 * (or this class and {@link InstantConverter}) to it and use {@link ApiKeyRepository}.
 */
@Entity
@Cacheable(false)
@Table(name = "apiauth_keys")
@NamedQuery(name = ApiKeyEntity.BY_HASH, query = "SELECT k FROM ApiKeyEntity k WHERE k.keyHash = :hash")
@NamedQuery(name = ApiKeyEntity.BY_OWNER, query = "SELECT k FROM ApiKeyEntity k WHERE k.ownerId = :owner ORDER BY k.createdAt DESC, k.id")
@NamedQuery(name = ApiKeyEntity.COUNT_BY_OWNER, query = "SELECT COUNT(k) FROM ApiKeyEntity k WHERE k.ownerId = :owner")
public class ApiKeyEntity {

    static final String BY_HASH = "ApiKeyEntity.byHash";
    static final String BY_OWNER = "ApiKeyEntity.byOwner";
    static final String COUNT_BY_OWNER = "ApiKeyEntity.countByOwner";

    @Id
    @Column(name = "id", length = 36, nullable = false)
    private String id;

    @Column(name = "name", length = 256, nullable = false)
    private String name;

    @Column(name = "owner_id", length = 256, nullable = false, updatable = false)
    private String ownerId;

    @Column(name = "key_hash", length = 64, nullable = false, unique = true, updatable = false)
    private String keyHash;

    @Column(name = "hint", length = 32, nullable = false)
    private String hint;

    @Column(name = "scopes", nullable = false)
    private String scopes;

    @Convert(converter = InstantConverter.class)
    @Column(name = "created_at", nullable = false)
    private Instant createdAt;

    @Convert(converter = InstantConverter.class)
    @Column(name = "expires_at")
    private Instant expiresAt;

    @Convert(converter = InstantConverter.class)
    @Column(name = "last_used_at")
    private Instant lastUsedAt;

    @Convert(converter = InstantConverter.class)
    @Column(name = "revoked_at")
    private Instant revokedAt;

    @Column(name = "metadata", nullable = false)
    private String metadata;

    /** The key's own rate limit: requests per {@link #rateLimitSeconds}; both null when it has none. */
    @Column(name = "rate_limit_requests")
    private Integer rateLimitRequests;

    @Column(name = "rate_limit_seconds")
    private Long rateLimitSeconds;

    @Version
    @Column(name = "version", nullable = false)
    private long version;

    protected ApiKeyEntity() {
    }

    static ApiKeyEntity from(ApiKey key) {
        ApiKeyEntity entity = new ApiKeyEntity();
        entity.id = key.id().toString();
        entity.ownerId = key.ownerId();
        entity.keyHash = key.keyHash();
        entity.copy(key);
        return entity;
    }

    /** Takes every changeable field of {@code key}; id, owner, hash and version stay. */
    void copy(ApiKey key) {
        name = key.name();
        hint = key.hint();
        scopes = RecordCodec.encodeScopes(key.scopes());
        createdAt = key.createdAt();
        expiresAt = key.expiresAt();
        lastUsedAt = key.lastUsedAt();
        revokedAt = key.revokedAt();
        metadata = RecordCodec.encodeMap(key.metadata());
        rateLimitRequests = key.rateLimit() == null ? null : key.rateLimit().requests();
        rateLimitSeconds = key.rateLimit() == null ? null : key.rateLimit().per().toSeconds();
    }

    ApiKey toApiKey() {
        return new ApiKey(UUID.fromString(id), name, ownerId, keyHash, hint, RecordCodec.decodeScopes(scopes), createdAt, expiresAt, lastUsedAt,
                revokedAt, RecordCodec.decodeMap(metadata), rateLimit(), version);
    }

    private RateLimit rateLimit() {
        return RecordCodec.rateLimit(rateLimitRequests, rateLimitSeconds);
    }

    long version() {
        return version;
    }

    String ownerId() {
        return ownerId;
    }

    String keyHash() {
        return keyHash;
    }
}
