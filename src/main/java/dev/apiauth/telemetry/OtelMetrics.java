package dev.apiauth.telemetry;

import dev.apiauth.ApiAuthMetrics;
import dev.apiauth.ApiKeyService;
import dev.apiauth.ValidationResult.Outcome;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.metrics.ObservableLongCounter;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.spi.BeanManager;
import java.util.ArrayList;
import java.util.List;

/**
 * The library's metrics as OpenTelemetry instruments, where MicroProfile Metrics is absent and the OpenTelemetry API
 * is present (MicroProfile 7 replaced Metrics by Telemetry). The same names and attributes as
 * {@code dev.apiauth.metrics.MpMetrics}: {@value ApiAuthMetrics#VALIDATIONS} {@code {outcome}}, {@value ApiAuthMetrics#LOOKUPS} {@code {backend}}
 * (a histogram in seconds), {@value ApiAuthMetrics#CACHE} {@code {layer, result}} on {@code redis-cache}, and the observed counters
 * {@value ApiAuthMetrics#USAGE_WRITES}, {@value ApiAuthMetrics#USAGE_FAILURES} and {@value ApiAuthMetrics#USAGE_DROPPED}. Exported wherever the application's telemetry sends metrics
 * (nothing is exported while its SDK is disabled: the instruments are then no-ops).
 *
 * <p>Attributes are built once here; a request adds to a counter with a prebuilt attribute set. Nothing is tagged by
 * key, hash or owner. Only this package refers to the OpenTelemetry API; the extension loads it only after it found it.
 */
public final class OtelMetrics implements ApiAuthMetrics {

    private final Meter meter;
    private final LongCounter validations;
    private final Attributes[] outcomes = new Attributes[Outcome.values().length];
    private final DoubleHistogram lookups;
    private final Attributes backend;
    /** null unless the backend has cache layers */
    private final LongCounter cache;
    /** near hit, near miss, redis hit, redis miss */
    private final Attributes[] cacheAttributes = new Attributes[4];
    private final List<ObservableLongCounter> observed = new ArrayList<>();

    private OtelMetrics(OpenTelemetry telemetry, String backendName) {
        meter = telemetry.meterBuilder("dev.apiauth").build();
        validations = meter.counterBuilder(VALIDATIONS).setDescription("Requests to @ApiKeyRequired endpoints, by the guard's outcome")
                .build();
        AttributeKey<String> outcome = AttributeKey.stringKey("outcome");
        for (Outcome o : Outcome.values()) {
            outcomes[o.ordinal()] = Attributes.of(outcome, o.reason());
        }
        lookups = meter.histogramBuilder(LOOKUPS).setUnit("s").setDescription("Lookups of presented keys in the key store").build();
        backend = Attributes.of(AttributeKey.stringKey("backend"), backendName);
        if (backendName.equals("redis-cache")) {
            cache = meter.counterBuilder(CACHE).setDescription("Lookups in redis-cache's layers").build();
            int i = 0;
            for (String layer : new String[] {"near", "redis"}) {
                for (String result : new String[] {"hit", "miss"}) {
                    cacheAttributes[i++] = Attributes.of(AttributeKey.stringKey("layer"), layer, AttributeKey.stringKey("result"), result);
                }
            }
        } else {
            cache = null;
        }
    }

    /** Instruments from {@code telemetry}. */
    public static OtelMetrics in(OpenTelemetry telemetry, String backend) {
        return new OtelMetrics(telemetry, backend);
    }

    /**
     * Instruments from the application's {@link OpenTelemetry} bean (MicroProfile Telemetry provides one, configured by
     * the application's {@code otel.*} settings); null without one. {@code GlobalOpenTelemetry} is left alone: reading
     * it would install a no-op that an application's own later {@code GlobalOpenTelemetry.set} could not replace.
     */
    public static OtelMetrics of(BeanManager bm, String backend) {
        Instance<OpenTelemetry> bean = bm.createInstance().select(OpenTelemetry.class);
        return bean.isResolvable() ? new OtelMetrics(bean.get(), backend) : null;
    }

    @Override
    public void watch(ApiKeyService service) {
        observed.add(meter.counterBuilder(USAGE_WRITES).setDescription("lastUsedAt writes since start")
                .buildWithCallback(m -> m.record(service.usageWrites())));
        observed.add(meter.counterBuilder(USAGE_DROPPED).setDescription("Key uses not recorded because usage tracking fell behind")
                .buildWithCallback(m -> m.record(service.usageDropped())));
        observed.add(meter.counterBuilder(USAGE_FAILURES).setDescription("lastUsedAt writes that failed (retried at the next flush)")
                .buildWithCallback(m -> m.record(service.usageWriteFailures())));
    }

    /** Stops the observed counters' callbacks, which hold the service (the meter provider may outlive the application). */
    @Override
    public void close() {
        for (ObservableLongCounter counter : observed) {
            counter.close();
        }
        observed.clear();
    }

    @Override
    public void outcome(Outcome outcome) {
        validations.add(1, outcomes[outcome.ordinal()]);
    }

    @Override
    public void lookup(long nanos) {
        lookups.record(nanos / 1e9, backend);
    }

    @Override
    public void cache(String layer, boolean hit) {
        if (cache != null) {
            cache.add(1, cacheAttributes[("near".equals(layer) ? 0 : 2) + (hit ? 0 : 1)]);
        }
    }
}
