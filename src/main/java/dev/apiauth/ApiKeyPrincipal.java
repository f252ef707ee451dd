package dev.apiauth;

import java.security.Principal;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * The caller of a request authenticated by an API key. {@link #getName()} is the key's owner id.
 * Carries the owner, the key id, its name and scopes, never the key or its hash.
 */
public final class ApiKeyPrincipal implements Principal {

    private final String ownerId;
    private final UUID keyId;
    private final String keyName;
    private final Set<String> scopes;

    public ApiKeyPrincipal(ApiKey key) {
        this(key.ownerId(), key.id(), key.name(), key.scopes());
    }

    public ApiKeyPrincipal(String ownerId, UUID keyId, String keyName, Set<String> scopes) {
        this.ownerId = Objects.requireNonNull(ownerId, "ownerId");
        this.keyId = Objects.requireNonNull(keyId, "keyId");
        this.keyName = Objects.requireNonNull(keyName, "keyName");
        this.scopes = Set.copyOf(scopes);
    }

    @Override
    public String getName() {
        return ownerId;
    }

    public String ownerId() {
        return ownerId;
    }

    public UUID keyId() {
        return keyId;
    }

    public String keyName() {
        return keyName;
    }

    public Set<String> scopes() {
        return scopes;
    }

    public boolean hasScope(String scope) {
        return scopes.contains(scope);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ApiKeyPrincipal p && p.keyId.equals(keyId) && p.ownerId.equals(ownerId);
    }

    @Override
    public int hashCode() {
        return keyId.hashCode();
    }

    @Override
    public String toString() {
        return "ApiKeyPrincipal[owner=" + ownerId + ", key=" + keyId + "]";
    }
}
