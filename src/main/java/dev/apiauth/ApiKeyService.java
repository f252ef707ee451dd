package dev.apiauth;

import dev.apiauth.audit.KeyEvent;
import dev.apiauth.backend.Backend;
import dev.apiauth.backend.DuplicateKeyException;
import dev.apiauth.backend.UnconfirmedWriteException;
import dev.apiauth.backend.UnknownKeyException;
import dev.apiauth.internal.KeyCodec;
import dev.apiauth.internal.KeyHasher;
import dev.apiauth.internal.Records;
import dev.apiauth.internal.UsageTracker;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Issues and manages API keys on a {@link Backend}: create, get, list, revoke, rotate, delete; and hands out
 * the {@link ApiKeyValidator} that guards requests. Works without any container:
 *
 * <pre>{@code
 * ApiKeyService keys = ApiKeyService.builder(new MemoryBackend()).build();
 * GeneratedKey key = keys.create(KeyRequest.of("ci", "team-42", "orders:read"));
 * }</pre>
 *
 * In a CDI application, inject it. Every rule about a key request is checked here, so the management API
 * and application code refuse the same things with the same messages ({@link IllegalArgumentException}).
 */
public final class ApiKeyService implements AutoCloseable {

    /** Longest accepted name, owner id, scope, metadata key or value. */
    private static final Logger LOG = Logger.getLogger(ApiKeyService.class.getName());
    public static final int MAX_TEXT_LENGTH = 256;
    /** At most this many scopes per key. */
    public static final int MAX_SCOPES = 64;
    /** At most this many metadata entries per key. */
    public static final int MAX_METADATA_ENTRIES = 32;
    /** A key's expiry is at most this far in the future (every supported store can hold it). */
    public static final Duration MAX_LIFETIME = Duration.ofDays(100 * 365L);
    /** A rotation's grace period is at most this long. */
    public static final Duration MAX_GRACE_PERIOD = Duration.ofDays(365);
    public static final String BOOTSTRAP_OWNER = "apiauth-bootstrap";

    private final Backend backend;
    private final KeyCodec codec;
    private final KeyHasher hasher;
    private final Clock clock;
    private final UsageTracker usage;
    private final ApiKeyValidator validator;
    private final int maxActivePerOwner;
    private final String bootstrapKeyHash;
    private final ApiKey bootstrap;
    private final RateLimiter rateLimiter;
    private final RateLimit defaultRateLimit;
    private final String managementScope;
    private static final Logger AUDIT = Logger.getLogger(KeyEvent.LOGGER);
    private static final ThreadLocal<Actor> ACTOR = new ThreadLocal<>();
    private static final Actor APPLICATION = new Actor(null, "application");
    private final Consumer<KeyEvent> audit;
    private final ApiAuthMetrics metrics;
    private final java.util.concurrent.atomic.AtomicBoolean limiterFailed = new java.util.concurrent.atomic.AtomicBoolean();
    private final Object[] ownerLocks = new Object[64];

    private ApiKeyService(Builder b) {
        this.maxActivePerOwner = b.maxActivePerOwner;
        for (int i = 0; i < ownerLocks.length; i++) {
            ownerLocks[i] = new Object();
        }
        this.backend = b.backend;
        this.codec = new KeyCodec(b.keyPrefix);
        this.hasher = new KeyHasher(b.pepper);
        this.clock = b.clock;
        if (!b.usageTracking) {
            this.usage = null;
        } else if (b.flushInterval == null) {
            this.usage = new UsageTracker(backend);
        } else {
            this.usage = new UsageTracker(backend, b.flushInterval);
        }
        ApiKey bootstrap = b.bootstrapKeyHash == null ? null : new ApiKey(
                UUID.nameUUIDFromBytes(b.bootstrapKeyHash.getBytes(StandardCharsets.US_ASCII)), "bootstrap admin key",
                BOOTSTRAP_OWNER, b.bootstrapKeyHash, "(configured)", b.bootstrapScopes, Instant.EPOCH, null, null, null,
                Map.of(), 0);
        this.metrics = b.metrics;
        if (metrics.enabled()) {
            backend.observe(metrics);
        }
        this.validator = new ApiKeyValidator(backend, hasher, clock, usage, bootstrap, metrics);
        this.bootstrapKeyHash = b.bootstrapKeyHash;
        this.bootstrap = bootstrap;
        this.defaultRateLimit = b.defaultRateLimit;
        this.managementScope = b.managementScope;
        this.audit = b.audit;
        this.rateLimiter = b.rateLimiter != null ? b.rateLimiter : backend.rateLimiter(new LocalRateLimiter());
    }

    public static Builder builder(Backend backend) {
        return new Builder(backend);
    }

    /** Checks presented keys; this is what the JAX-RS filter calls. */
    public ApiKeyValidator validator() {
        return validator;
    }

    public Backend backend() {
        return backend;
    }

    /** Where validations and lookups are reported ({@link ApiAuthMetrics#NONE} unless set). */
    public ApiAuthMetrics metrics() {
        return metrics;
    }

    /** Uses of keys not recorded because usage tracking fell behind (see {@code UsageTracker}). */
    public long usageDropped() {
        return usage == null ? 0 : usage.dropped();
    }

    /**
     * The limit on {@code key}'s requests: its own, else the configured default ({@code apiauth.rate-limit.default});
     * null when neither applies. The bootstrap admin key is never limited, and keys holding the management scope get
     * no default (an operator revoking keys in an incident must not be throttled by a limit meant for clients);
     * give an admin key a limit of its own to limit it.
     */
    public RateLimit rateLimitOf(ApiKey key) {
        if (key == bootstrap) {
            return null;
        }
        if (key.rateLimit() != null) {
            return key.rateLimit();
        }
        return defaultRateLimit == null || key.scopes().contains(managementScope) ? null : defaultRateLimit;
    }

    /**
     * Counts one request of {@code key}, a key that passed validation; null when no limit applies. Never fails: a
     * limiter whose store is unreachable counts on this node alone, and a limiter that throws lets the request
     * through (logged at WARNING the first time).
     */
    public RateLimiter.Decision acquire(ApiKey key) {
        RateLimit limit = rateLimitOf(key);
        if (limit == null) {
            return null;
        }
        try {
            return rateLimiter.acquire(key.id(), limit);
        } catch (RuntimeException e) {
            if (limiterFailed.compareAndSet(false, true)) {
                LOG.log(Level.WARNING, "the rate limiter " + rateLimiter.getClass().getName() + " failed; requests are let"
                        + " through uncounted while it fails (logged once)", e);
            }
            return null;
        }
    }

    /**
     * Sets or removes (null) a key's own rate limit; it applies from the key's next request on every node (the
     * bucket is kept: lowering a limit does not hand out a fresh one).
     *
     * @throws UnknownKeyException when no key has this id
     */
    public ApiKey setRateLimit(UUID id, RateLimit limit) {
        boolean[] changed = new boolean[1];
        ApiKey updated = Records.modify(backend, id, key -> {
            changed[0] = !Objects.equals(key.rateLimit(), limit);
            return changed[0] ? key.withRateLimit(limit) : key;
        }).orElseThrow(() -> new UnknownKeyException(id));
        if (changed[0]) {
            audit(KeyEvent.Type.UPDATED, id, updated.ownerId(), null);
        }
        return updated;
    }

    /** Whether {@code record} is the bootstrap admin key's (unstored) record, as validation returns it. */
    public boolean isBootstrap(ApiKey record) {
        return record != null && record == bootstrap;
    }

    /** Whether {@code key} is the configured bootstrap admin key (which has no record and cannot be revoked). */
    public boolean isBootstrapKey(String key) {
        return bootstrapKeyHash != null && key != null && java.security.MessageDigest.isEqual(
                hasher.hash(key).getBytes(StandardCharsets.US_ASCII), bootstrapKeyHash.getBytes(StandardCharsets.US_ASCII));
    }

    /** The hash under which {@code key} would be stored (peppered if configured). */
    public String hash(String key) {
        return hasher.hash(key);
    }

    /**
     * Issues a key. The plaintext exists only in the returned {@link GeneratedKey}.
     *
     * @throws IllegalArgumentException when the request breaks a rule (blank name, owner or scope, expiry not
     *                                  in the future, text too long); the message names the field
     */
    public GeneratedKey create(KeyRequest request) {
        Objects.requireNonNull(request, "request");
        Instant now = now();
        requireText("name", request.name());
        requireText("ownerId", request.ownerId());
        if (!request.ownerId().equals(request.ownerId().strip())) {
            throw new IllegalArgumentException("ownerId: must not start or end with whitespace");
        }
        if (request.scopes().size() > MAX_SCOPES) {
            throw new IllegalArgumentException("scopes: " + request.scopes().size() + " scopes; at most " + MAX_SCOPES);
        }
        for (String scope : request.scopes()) {
            if (!ScopeRequirement.isScope(scope) || scope.length() > MAX_TEXT_LENGTH || hasControlCharacter(scope)) {
                throw new IllegalArgumentException("scopes: not a scope; expected non-empty strings without whitespace or"
                        + " control characters, at most " + MAX_TEXT_LENGTH + " characters");
            }
        }
        if (request.expiresAt() != null) {
            if (!request.expiresAt().isAfter(now)) {
                throw new IllegalArgumentException("expiresAt: " + request.expiresAt() + " is not in the future");
            }
            if (request.expiresAt().isAfter(now.plus(MAX_LIFETIME))) {
                throw new IllegalArgumentException("expiresAt: " + request.expiresAt() + " is more than " + MAX_LIFETIME.toDays()
                        + " days in the future; omit it for a key that does not expire");
            }
        }
        if (request.metadata().size() > MAX_METADATA_ENTRIES) {
            throw new IllegalArgumentException("metadata: " + request.metadata().size() + " entries; at most " + MAX_METADATA_ENTRIES);
        }
        for (Map.Entry<String, String> entry : request.metadata().entrySet()) {
            requireText("metadata key", entry.getKey());
            if (entry.getValue().length() > MAX_TEXT_LENGTH) {
                throw new IllegalArgumentException("metadata: a value is longer than " + MAX_TEXT_LENGTH + " characters");
            }
        }
        if (maxActivePerOwner == 0) {
            return created(issue(request.name(), request.ownerId(), request.scopes(), truncate(request.expiresAt()), request.metadata(),
                    request.rateLimit(), now));
        }
        // counted and issued under one lock per owner on this node; creates on other nodes are not counted in
        GeneratedKey issued;
        synchronized (ownerLock(request.ownerId())) {
            long active = backend.listByOwner(request.ownerId()).stream().filter(key -> key.isActiveAt(now)).count();
            if (active >= maxActivePerOwner) {
                throw tooManyKeys(request.ownerId(), active);
            }
            issued = issue(request.name(), request.ownerId(), request.scopes(), truncate(request.expiresAt()), request.metadata(),
                    request.rateLimit(), now);
        }
        return created(issued); // observers run outside the owner's lock
    }

    private GeneratedKey created(GeneratedKey key) {
        audit(KeyEvent.Type.CREATED, key.record().id(), key.record().ownerId(), null);
        return key;
    }

    public Optional<ApiKey> get(UUID id) {
        return backend.getById(id);
    }

    /** Every key of {@code ownerId}, newest first. */
    public List<ApiKey> listByOwner(String ownerId) {
        return backend.listByOwner(ownerId);
    }

    /**
     * Revokes a key: it is refused from the next request on. Revoking a revoked key changes nothing.
     *
     * @throws UnknownKeyException when no key has this id
     */
    public ApiKey revoke(UUID id) {
        Instant now = now();
        boolean[] changed = new boolean[1];
        String[] owner = new String[1];
        ApiKey revoked;
        try {
            revoked = Records.modify(backend, id, key -> {
                changed[0] = !key.isRevoked(); // the last attempt decides: what the stored record was when this call wrote
                owner[0] = key.ownerId();
                return changed[0] ? key.withRevokedAt(now) : key;
            }).orElseThrow(() -> new UnknownKeyException(id));
        } catch (UnconfirmedWriteException e) {
            if (e.applied() && changed[0]) { // in effect already, confirmed by the retry: recorded now, once
                audit(KeyEvent.Type.REVOKED, id, owner[0], null);
            }
            throw e;
        }
        if (changed[0]) { // revoked by this call, not earlier: the event names who really did it
            audit(KeyEvent.Type.REVOKED, id, revoked.ownerId(), null);
        } else {
            backend.confirmDurable(revoked); // a retry after an unconfirmed revocation answers only once it is confirmed
        }
        return revoked;
    }

    /** Deletes a key's record; deleting an unknown id does nothing. */
    public void delete(UUID id) {
        Optional<ApiKey> existing = backend.getById(id);
        try {
            backend.delete(id);
        } catch (UnconfirmedWriteException e) {
            if (e.applied() && existing.isPresent()) {
                audit(KeyEvent.Type.DELETED, id, existing.get().ownerId(), null);
            }
            throw e;
        }
        if (existing.isPresent()) { // deleting what is gone changes nothing, and says nothing
            audit(KeyEvent.Type.DELETED, id, existing.get().ownerId(), null);
        }
    }

    /**
     * Runs {@code call} on behalf of {@code actorKeyId} (the management API's caller; null for the bootstrap key or a
     * system such as GitHub's alerts), so the {@link KeyEvent}s of the changes it makes name that actor.
     */
    public <T> T actingAs(UUID actorKeyId, String via, java.util.function.Supplier<T> call) {
        Actor previous = ACTOR.get();
        ACTOR.set(new Actor(actorKeyId, Objects.requireNonNull(via, "via")));
        try {
            return call.get();
        } finally {
            if (previous == null) {
                ACTOR.remove();
            } else {
                ACTOR.set(previous);
            }
        }
    }

    /** Logs the change at INFO on {@value KeyEvent#LOGGER} and hands it to the listener; a failing listener changes nothing. */
    private void audit(KeyEvent.Type type, UUID keyId, String ownerId, UUID successorId) {
        Actor actor = ACTOR.get();
        if (actor == null) {
            actor = APPLICATION;
        }
        KeyEvent event = new KeyEvent(type, keyId, ownerId, successorId, actor.keyId, actor.via, clock.instant());
        if (AUDIT.isLoggable(Level.INFO)) {
            AUDIT.info("API key " + keyId + " " + type.name().toLowerCase(java.util.Locale.ROOT)
                    + (successorId == null ? "" : " (successor " + successorId + ")") + ", owner " + ownerId + ", by "
                    + (actor.keyId == null ? actor.via : "key " + actor.keyId + " via " + actor.via));
        }
        if (audit != null) {
            try {
                audit.accept(event);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "an observer of " + type + " of API key " + keyId + " failed; the change itself is stored", e);
            }
        }
    }

    private record Actor(UUID keyId, String via) {
    }

    /**
     * Issues a successor of a key with the same name, owner, scopes, expiry and metadata, and lets the old
     * key work for {@code gracePeriod} more (never past its own expiry). A zero grace revokes it at once.
     *
     * @throws UnknownKeyException      when no key has this id
     * @throws IllegalStateException    when the key is revoked or expired: issue a new one instead
     * @throws IllegalArgumentException when the grace period is negative
     */
    public GeneratedKey rotate(UUID id, Duration gracePeriod) {
        Objects.requireNonNull(gracePeriod, "gracePeriod");
        if (gracePeriod.isNegative() || gracePeriod.compareTo(MAX_GRACE_PERIOD) > 0) {
            throw new IllegalArgumentException("gracePeriod: " + gracePeriod + " is out of range; expected PT0S to "
                    + MAX_GRACE_PERIOD.toDays() + " days (P" + MAX_GRACE_PERIOD.toDays() + "D)");
        }
        Instant now = now();
        ApiKey old = backend.getById(id).orElseThrow(() -> new UnknownKeyException(id));
        if (old.isRevoked() || old.isExpiredAt(now)) {
            backend.confirmDurable(old); // a retry of a rotation that answered 503: "revoked" only once it is confirmed
        }
        requireRotatable(old, now);
        if (maxActivePerOwner == 0 || gracePeriod.isZero()) { // without grace a rotation is a swap
            return rotated(old, rotate(old, gracePeriod, now));
        }
        // a rotation replaces a key: the owner's other active keys must leave room for the successor, so repeated
        // rotations with a grace period cannot mint keys beyond the maximum (the old key's grace may hold one more)
        GeneratedKey successor;
        synchronized (ownerLock(old.ownerId())) {
            long others = backend.listByOwner(old.ownerId()).stream().filter(key -> key.isActiveAt(now) && !key.id().equals(id)).count();
            if (others >= maxActivePerOwner) {
                throw tooManyKeys(old.ownerId(), others);
            }
            successor = rotate(old, gracePeriod, now);
        }
        return rotated(old, successor); // observers run outside the owner's lock
    }

    private GeneratedKey rotated(ApiKey old, GeneratedKey successor) {
        audit(KeyEvent.Type.ROTATED, old.id(), old.ownerId(), successor.record().id());
        return successor;
    }

    private GeneratedKey rotate(ApiKey old, Duration gracePeriod, Instant now) {
        UUID id = old.id();
        Instant graceEnd = now.plus(gracePeriod);
        GeneratedKey successor = issue(old.name(), old.ownerId(), old.scopes(), old.expiresAt(), old.metadata(), old.rateLimit(), now);
        // Only now shorten the old key, under its optimistic lock; a revocation that landed since the read wins,
        // and the successor, never handed out, is withdrawn: a revoked key cannot live on through its rotation.
        try {
            boolean[] changed = new boolean[1];
            ApiKey shortened = Records.modify(backend, id, key -> {
                requireRotatable(key, now);
                if (gracePeriod.isZero()) {
                    changed[0] = true;
                    return key.withRevokedAt(now);
                }
                changed[0] = key.expiresAt() == null || key.expiresAt().isAfter(graceEnd);
                return changed[0] ? key.withExpiresAt(graceEnd) : key;
            }).orElseThrow(() -> new UnknownKeyException(id));
            if (!changed[0]) {
                backend.confirmDurable(shortened); // an earlier, unconfirmed rotation shortened it already
            }
        } catch (RuntimeException e) {
            withdraw(successor, e);
            if (gracePeriod.isZero() && e instanceof UnconfirmedWriteException unconfirmed && unconfirmed.applied()) {
                // the old key is revoked (in effect, not yet on a replica) and its successor withdrawn: a retry of the
                // rotation answers 409 "revoked" once the revocation is confirmed; the owner issues a new key
                audit(KeyEvent.Type.REVOKED, id, old.ownerId(), null);
            }
            throw e;
        }
        return successor;
    }

    private Object ownerLock(String ownerId) {
        return ownerLocks[Math.floorMod(ownerId.hashCode(), ownerLocks.length)];
    }

    private IllegalStateException tooManyKeys(String ownerId, long active) {
        return new IllegalStateException("ownerId: " + ownerId + " already has " + active + " active keys, the most allowed ("
                + ApiAuthConfig.MAX_ACTIVE_PER_OWNER + "=" + maxActivePerOwner + "); revoke one first");
    }

    private static void requireRotatable(ApiKey key, Instant now) {
        if (key.isRevoked()) {
            throw new IllegalStateException("API key " + key.id() + " is revoked; a revoked key cannot be rotated");
        }
        if (key.isExpiredAt(now)) {
            throw new IllegalStateException("API key " + key.id() + " has expired; issue a new key instead");
        }
    }

    /** Removes a successor whose rotation failed; its plaintext was never returned, so nobody can hold it. */
    private void withdraw(GeneratedKey successor, RuntimeException cause) {
        try {
            backend.discardUnissued(successor.record().id());
        } catch (RuntimeException e) {
            cause.addSuppressed(e);
            LOG.log(Level.WARNING, "could not delete the unissued successor " + successor.record().id()
                    + " of a failed rotation; its key was never handed out", e);
        }
    }

    /** Writes pending {@code lastUsedAt} times now; returns the number of backend writes. */
    public int flushUsage() {
        return usage == null ? 0 : usage.flush();
    }

    /** Backend writes caused by usage tracking since start. */
    public long usageWrites() {
        return usage == null ? 0 : usage.writes();
    }

    /** {@code lastUsedAt} writes that failed since start (retried at the next flush). */
    public long usageWriteFailures() {
        return usage == null ? 0 : usage.failedWrites();
    }

    /** Stops usage tracking after writing what is pending. Does not close the backend. */
    @Override
    public void close() {
        if (usage != null) {
            usage.close();
        }
    }

    private GeneratedKey issue(String name, String ownerId, Set<String> scopes, Instant expiresAt,
                               Map<String, String> metadata, RateLimit rateLimit, Instant now) {
        for (int attempt = 0; ; attempt++) {
            String plaintext = codec.generate();
            ApiKey record = new ApiKey(UUID.randomUUID(), name, ownerId, hasher.hash(plaintext), KeyCodec.hint(plaintext),
                    scopes, now, expiresAt, null, null, metadata, rateLimit, 0);
            try {
                return new GeneratedKey(plaintext, backend.create(record));
            } catch (DuplicateKeyException e) {
                if (attempt == 2) {
                    throw e; // three 256-bit collisions in a row: the backend is broken, not unlucky
                }
            }
        }
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    private static Instant truncate(Instant at) {
        return at == null ? null : at.truncatedTo(ChronoUnit.MILLIS);
    }

    private static void requireText(String field, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(field + ": must not be blank");
        }
        if (value.length() > MAX_TEXT_LENGTH) {
            throw new IllegalArgumentException(field + ": longer than " + MAX_TEXT_LENGTH + " characters");
        }
        if (hasControlCharacter(value)) {
            throw new IllegalArgumentException(field + ": must not contain control characters");
        }
    }

    private static boolean hasControlCharacter(String value) {
        for (int i = 0; i < value.length(); i++) {
            if (Character.isISOControl(value.charAt(i))) {
                return true;
            }
        }
        return false;
    }

    /** Settings of an {@link ApiKeyService}; the defaults match {@link ApiAuthConfig#defaults()}. */
    public static final class Builder {
        private final Backend backend;
        private String keyPrefix = ApiAuthConfig.DEFAULT_PREFIX;
        private byte[] pepper;
        private Clock clock = Clock.systemUTC();
        private boolean usageTracking = true;
        private Duration flushInterval = ApiAuthConfig.DEFAULT_FLUSH_INTERVAL;
        private String bootstrapKeyHash;
        private Set<String> bootstrapScopes = Set.of(ApiAuthConfig.DEFAULT_MANAGEMENT_SCOPE);
        private int maxActivePerOwner;
        private RateLimit defaultRateLimit;
        private RateLimiter rateLimiter;
        private String managementScope = ApiAuthConfig.DEFAULT_MANAGEMENT_SCOPE;
        private Consumer<KeyEvent> audit;
        private ApiAuthMetrics metrics = ApiAuthMetrics.NONE;

        private Builder(Backend backend) {
            this.backend = Objects.requireNonNull(backend, "backend");
        }

        /** Applies every setting of {@code config} except the backend choice. */
        public Builder config(ApiAuthConfig config) {
            keyPrefix = config.keyPrefix();
            pepper = config.pepper().orElse(null);
            usageTracking = config.usageTracking();
            flushInterval = config.usageFlushInterval();
            bootstrapKeyHash = config.bootstrapAdminKeyHash().orElse(null);
            bootstrapScopes = Set.of(config.managementScope());
            maxActivePerOwner = config.maxActivePerOwner();
            defaultRateLimit = config.defaultRateLimit().orElse(null);
            managementScope = config.managementScope();
            if (!config.rateLimitShared()) {
                rateLimiter = new LocalRateLimiter();
            }
            return this;
        }

        /** The limit of keys without one of their own (null: such keys are not limited). */
        public Builder defaultRateLimit(RateLimit limit) {
            this.defaultRateLimit = limit;
            return this;
        }

        /**
         * Hands every change of a key ({@link KeyEvent}) to {@code listener} once it is stored (the CDI integration fires
         * them as CDI events). Changes are logged at INFO on {@value KeyEvent#LOGGER} with or without a listener.
         */
        public Builder audit(Consumer<KeyEvent> listener) {
            this.audit = listener;
            return this;
        }

        /** Reports validations and lookups to {@code metrics}. */
        public Builder metrics(ApiAuthMetrics metrics) {
            this.metrics = Objects.requireNonNull(metrics, "metrics");
            return this;
        }

        /** Counts with {@code limiter} instead of the backend's ({@link Backend#rateLimiter}). */
        public Builder rateLimiter(RateLimiter limiter) {
            this.rateLimiter = Objects.requireNonNull(limiter, "limiter");
            return this;
        }

        /** At most {@code max} active keys per owner (0: no limit); a create beyond it is refused. */
        public Builder maxActivePerOwner(int max) {
            if (max < 0) {
                throw new IllegalArgumentException("maxActivePerOwner must be 0 (no limit) or positive");
            }
            this.maxActivePerOwner = max;
            return this;
        }

        public Builder keyPrefix(String prefix) {
            this.keyPrefix = prefix;
            return this;
        }

        public Builder pepper(byte[] pepper) {
            this.pepper = pepper == null ? null : pepper.clone();
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** {@code null} interval: usage is recorded but written only by {@link ApiKeyService#flushUsage()}. */
        public Builder usageTracking(boolean enabled, Duration flushInterval) {
            this.usageTracking = enabled;
            this.flushInterval = flushInterval;
            return this;
        }

        /** A key the operator generated, accepted with {@code scopes} without being stored. */
        public Builder bootstrapKeyHash(String keyHash, Set<String> scopes) {
            if (keyHash != null && !KeyHasher.isHash(keyHash)) {
                throw new IllegalArgumentException("bootstrap key hash must be 64 lowercase hex characters");
            }
            this.bootstrapKeyHash = keyHash;
            this.bootstrapScopes = Set.copyOf(scopes);
            return this;
        }

        public ApiKeyService build() {
            return new ApiKeyService(this);
        }
    }
}
