package dev.apiauth;

import dev.apiauth.ValidationResult.Outcome;

/**
 * Where the library reports what it measures. The CDI integration connects MicroProfile Metrics when the server has it
 * ({@code dev.apiauth.metrics.MpMetrics}), else OpenTelemetry metrics when the OpenTelemetry API is there
 * ({@code dev.apiauth.telemetry.OtelMetrics}, MicroProfile 7's way); elsewhere {@link #NONE} costs nothing. Never
 * given a key, hash or owner: nothing here can be tagged by them.
 */
public interface ApiAuthMetrics {

    /** Guarded requests, tagged {@code outcome}. */
    String VALIDATIONS = "apiauth.validations";
    /** Store lookups of presented keys, tagged {@code backend}. */
    String LOOKUPS = "apiauth.lookups";
    /** Lookups in a backend's cache layers, tagged {@code layer} and {@code result}. */
    String CACHE = "apiauth.cache";
    /** {@code lastUsedAt} writes. */
    String USAGE_WRITES = "apiauth.usage.writes";
    /** Key uses not recorded because usage tracking fell behind. */
    String USAGE_DROPPED = "apiauth.usage.dropped";
    /** {@code lastUsedAt} writes that failed (retried at the next flush). */
    String USAGE_FAILURES = "apiauth.usage.failures";

    /** Measures nothing. */
    ApiAuthMetrics NONE = new ApiAuthMetrics() {
    };

    /** The outcome of one guarded request (counted once per request). */
    default void outcome(Outcome outcome) {
    }

    /** One store lookup of a presented key, and how long it took. */
    default void lookup(long nanos) {
    }

    /**
     * One lookup in a cache layer of the backend: {@code layer} is {@code near} (the in-process near cache) or
     * {@code redis} (the shared cache); a miss goes on to the next layer or the primary.
     */
    default void cache(String layer, boolean hit) {
    }

    /** Starts reporting the service's own counts (usage writes, uses dropped) once the service exists. */
    default void watch(ApiKeyService service) {
    }

    /** Removes what was registered (at undeploy: a server's registry or meter provider may outlive the application). */
    default void close() {
    }

    /** Whether anything is measured (callers skip their own bookkeeping when not). */
    default boolean enabled() {
        return this != NONE;
    }
}
