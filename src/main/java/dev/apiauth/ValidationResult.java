package dev.apiauth;

import java.util.Objects;
import java.util.UUID;

/**
 * What checking a presented key found. Failures without a key are shared constants; a success, and a refusal of a
 * key that was found (revoked, expired, insufficient scope, which keeps its id), allocate one object.
 */
public final class ValidationResult {

    /** Why a key was accepted or refused. The HTTP layer maps each to a status in one place. */
    public enum Outcome {
        VALID,
        /** No key was presented. */
        MISSING,
        /** Something was presented but it is not a key (wrong shape or checksum); the backend was not asked. */
        MALFORMED,
        /** Well-formed, but no such key is stored. */
        UNKNOWN,
        REVOKED,
        EXPIRED,
        /** A valid key without the scopes the endpoint needs. */
        INSUFFICIENT_SCOPE,
        /** The backend failed; the request is refused (fail closed). */
        BACKEND_UNAVAILABLE,
        /** A valid key over its rate limit (decided after validation, by {@link ApiKeyService#acquire}). */
        RATE_LIMITED;

        private final String reason = name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');

        /**
         * The outcome's name in problems, events, metrics and spans: {@code insufficient-scope}, {@code valid}. Made
         * once per constant.
         */
        public String reason() {
            return reason;
        }
    }

    public static final ValidationResult MISSING = new ValidationResult(Outcome.MISSING, (ApiKey) null);
    public static final ValidationResult MALFORMED = new ValidationResult(Outcome.MALFORMED, (ApiKey) null);
    public static final ValidationResult UNKNOWN = new ValidationResult(Outcome.UNKNOWN, (ApiKey) null);
    public static final ValidationResult REVOKED = new ValidationResult(Outcome.REVOKED, (ApiKey) null);
    public static final ValidationResult EXPIRED = new ValidationResult(Outcome.EXPIRED, (ApiKey) null);
    public static final ValidationResult INSUFFICIENT_SCOPE = new ValidationResult(Outcome.INSUFFICIENT_SCOPE, (ApiKey) null);
    public static final ValidationResult BACKEND_UNAVAILABLE = new ValidationResult(Outcome.BACKEND_UNAVAILABLE, (ApiKey) null);

    private final Outcome outcome;
    private final ApiKey key;
    private final UUID keyId;
    private final String ownerId;

    private ValidationResult(Outcome outcome, ApiKey key) {
        this.outcome = outcome;
        this.key = key;
        this.keyId = key == null ? null : key.id();
        this.ownerId = key == null ? null : key.ownerId();
    }

    private ValidationResult(Outcome outcome, UUID keyId, String ownerId) {
        this.outcome = outcome;
        this.key = null;
        this.keyId = keyId;
        this.ownerId = ownerId;
    }

    /**
     * A refusal of a key that was found ({@code REVOKED}, {@code EXPIRED}, {@code INSUFFICIENT_SCOPE}): it keeps only
     * the id and the owner, for audit and tracing.
     */
    static ValidationResult refused(Outcome outcome, ApiKey found) {
        return new ValidationResult(outcome, found.id(), found.ownerId());
    }

    /** The owner of the key that was found, also for some refusals (as {@link #keyId()}); else null. */
    public String ownerId() {
        return ownerId;
    }

    /** The id of the key that was found, also for some refusals (revoked, expired, insufficient scope); else null. */
    public UUID keyId() {
        return keyId;
    }

    public static ValidationResult valid(ApiKey key) {
        return new ValidationResult(Outcome.VALID, Objects.requireNonNull(key));
    }

    public Outcome outcome() {
        return outcome;
    }

    public boolean isValid() {
        return outcome == Outcome.VALID;
    }

    /** The key's record; only for {@link Outcome#VALID}. */
    public ApiKey key() {
        if (key == null) {
            throw new IllegalStateException("no key: validation outcome is " + outcome);
        }
        return key;
    }

    @Override
    public String toString() {
        return keyId == null ? outcome.name() : outcome + " " + keyId;
    }
}
