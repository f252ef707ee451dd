package dev.apiauth.health;

import dev.apiauth.ApiKeyService;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.spi.AfterBeanDiscovery;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.Readiness;

/**
 * Adds the {@link ApiAuthReadiness} bean. Only this class and the check refer to MicroProfile Health, and the
 * extension loads them only after it found the API: an application on a server without MP
 * Health deploys and is guarded as before, without the check.
 */
public final class HealthIntegration {

    private HealthIntegration() {
    }

    public static void addTo(AfterBeanDiscovery abd, BeanManager bm, String backendName) {
        abd.addBean().beanClass(ApiAuthReadiness.class).types(HealthCheck.class, ApiAuthReadiness.class, Object.class)
                .qualifiers(Readiness.Literal.INSTANCE, Any.Literal.INSTANCE)
                .scope(Singleton.class)
                .createWith(c -> new ApiAuthReadiness(() -> bm.createInstance().select(ApiKeyService.class).get().backend(),
                        backendName));
    }
}
