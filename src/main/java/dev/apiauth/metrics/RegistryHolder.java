package dev.apiauth.metrics;

import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import org.eclipse.microprofile.metrics.MetricRegistry;

/**
 * Reaches the application's {@link MetricRegistry} through an injection point: some servers' registry producers
 * (Payara's) read the injection point's annotations and fail on a purely programmatic lookup. Added as a bean by the
 * extension only where MP Metrics exists; an {@link Instance}, so a server without a registry bean deploys all the same.
 */
@Dependent
public class RegistryHolder {

    @Inject
    Instance<MetricRegistry> registry;
}
