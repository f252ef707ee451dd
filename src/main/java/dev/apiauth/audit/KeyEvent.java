package dev.apiauth.audit;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * A change to a key: fired (in a CDI application, as a CDI event, to {@code @Observes} and {@code @ObservesAsync}
 * observers) and logged at INFO on the logger {@value #LOGGER} after the change is stored. Never holds the key or its
 * hash.
 *
 * @param type        what happened
 * @param keyId       the key changed (for {@link Type#ROTATED}, the old key)
 * @param ownerId     its owner; null only for a {@link Type#DELETED} key that was already gone
 * @param successorId for {@link Type#ROTATED}, the new key; else null
 * @param actorKeyId  the key that made the change through the management API; null for the bootstrap admin key,
 *                    GitHub's alerts and the application's own calls
 * @param via         {@code management-api}, {@code bootstrap-key}, {@code github-secret-scanning} or
 *                    {@code application}
 * @param at          when the change was stored
 */
public record KeyEvent(Type type, UUID keyId, String ownerId, UUID successorId, UUID actorKeyId, String via, Instant at) {

    /** The logger management actions are written to, for routing to an audit file. */
    public static final String LOGGER = "dev.apiauth.audit";

    public KeyEvent {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(via, "via");
        Objects.requireNonNull(at, "at");
    }

    public enum Type {
        CREATED,
        ROTATED,
        REVOKED,
        DELETED,
        /** A changed rate limit. */
        UPDATED
    }
}
