package dev.apiauth.metrics;

import dev.apiauth.ApiAuthMetrics;
import dev.apiauth.ApiKeyService;
import dev.apiauth.ValidationResult.Outcome;
import java.time.Duration;
import org.eclipse.microprofile.metrics.Counter;
import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.MetricUnits;
import org.eclipse.microprofile.metrics.Tag;
import org.eclipse.microprofile.metrics.Timer;

/**
 * The library's metrics in the application's MicroProfile Metrics registry (Prometheus names in brackets):
 * <ul>
 *   <li>{@value ApiAuthMetrics#VALIDATIONS} {@code {outcome=valid|missing|malformed|unknown|revoked|expired|insufficient-scope|
 *   rate-limited|backend-unavailable}} ({@code apiauth_validations_total}): guarded requests by outcome;</li>
 *   <li>{@value ApiAuthMetrics#LOOKUPS} {@code {backend=<name>}} ({@code apiauth_lookups_seconds}): store lookups of presented keys;</li>
 *   <li>{@value ApiAuthMetrics#CACHE} {@code {layer=near|redis, result=hit|miss}} ({@code apiauth_cache_total}), on {@code redis-cache}
 *   only: lookups in its near cache and in Redis;</li>
 *   <li>{@value ApiAuthMetrics#USAGE_WRITES}, {@value ApiAuthMetrics#USAGE_FAILURES} and {@value ApiAuthMetrics#USAGE_DROPPED}: {@code lastUsedAt} writes, writes
 *   that failed, and uses not recorded because tracking fell behind.</li>
 * </ul>
 * Every counter is made once, here; a request increments an array slot. Nothing is tagged by key, hash or owner.
 * Only this class and {@link RegistryHolder} refer to the MP Metrics API; the extension loads them only after it
 * found the API.
 */
public final class MpMetrics implements ApiAuthMetrics {

    private final Counter[] outcomes = new Counter[Outcome.values().length];
    private final Timer lookups;
    /** near hit, near miss, redis hit, redis miss */
    private final Counter[] cache = new Counter[4];
    private final MetricRegistry registry;

    private MpMetrics(MetricRegistry registry, String backend) {
        this.registry = registry;
        Metadata validations = Metadata.builder().withName(VALIDATIONS)
                .withDescription("Requests to @ApiKeyRequired endpoints, by the guard's outcome").build();
        for (Outcome outcome : Outcome.values()) {
            outcomes[outcome.ordinal()] = registry.counter(validations, new Tag("outcome", reason(outcome)));
        }
        lookups = registry.timer(Metadata.builder().withName(LOOKUPS).withUnit(MetricUnits.NANOSECONDS)
                .withDescription("Lookups of presented keys in the key store").build(), new Tag("backend", backend));
        if (backend.equals("redis-cache")) { // the one shipped backend with cache layers: no empty series elsewhere
            Metadata layers = Metadata.builder().withName(CACHE).withDescription("Lookups in redis-cache's layers").build();
            int i = 0;
            for (String layer : new String[] {"near", "redis"}) {
                for (String result : new String[] {"hit", "miss"}) {
                    cache[i++] = registry.counter(layers, new Tag("layer", layer), new Tag("result", result));
                }
            }
        }
    }

    /** The metrics in {@code registry}, the application's. */
    public static MpMetrics in(MetricRegistry registry, String backend) {
        return new MpMetrics(registry, backend);
    }

    /** The metrics in the application's registry (its CDI bean), or null when the server provides none. */
    public static MpMetrics of(jakarta.enterprise.inject.spi.BeanManager bm, String backend) {
        jakarta.enterprise.inject.Instance<RegistryHolder> holder = bm.createInstance().select(RegistryHolder.class);
        if (!holder.isResolvable()) {
            return null;
        }
        jakarta.enterprise.inject.Instance<MetricRegistry> registry = holder.get().registry;
        return registry.isResolvable() ? new MpMetrics(registry.get(), backend) : null;
    }

    /** Adds the gauges that read the service's own counts, once it exists. */
    @Override
    public void watch(ApiKeyService service) {
        registry.gauge(Metadata.builder().withName(USAGE_WRITES).withDescription("lastUsedAt writes since start").build(),
                service, ApiKeyService::usageWrites);
        registry.gauge(Metadata.builder().withName(USAGE_DROPPED)
                .withDescription("Key uses not recorded because usage tracking fell behind").build(), service, ApiKeyService::usageDropped);
        registry.gauge(Metadata.builder().withName(USAGE_FAILURES)
                .withDescription("lastUsedAt writes that failed (retried at the next flush)").build(), service, ApiKeyService::usageWriteFailures);
    }

    /** Removes this application's metrics from the registry (at undeploy: a server's registry may outlive it). */
    @Override
    public void close() {
        for (String name : new String[] {VALIDATIONS, LOOKUPS, CACHE, USAGE_WRITES, USAGE_DROPPED, USAGE_FAILURES}) {
            registry.remove(name);
        }
    }

    @Override
    public void outcome(Outcome outcome) {
        outcomes[outcome.ordinal()].inc();
    }

    @Override
    public void cache(String layer, boolean hit) {
        Counter counter = cache[("near".equals(layer) ? 0 : 2) + (hit ? 0 : 1)];
        if (counter != null) {
            counter.inc();
        }
    }

    @Override
    public void lookup(long nanos) {
        lookups.update(Duration.ofNanos(nanos));
    }

    /** The problem's reason: {@code insufficient-scope}, {@code valid}. */
    static String reason(Outcome outcome) {
        return outcome.reason();
    }
}
