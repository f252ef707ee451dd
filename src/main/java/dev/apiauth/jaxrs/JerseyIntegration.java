package dev.apiauth.jaxrs;

import dev.apiauth.ApiAuthConfig;
import jakarta.enterprise.inject.spi.CDI;
import jakarta.ws.rs.core.Configuration;
import jakarta.ws.rs.core.FeatureContext;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;
import org.glassfish.jersey.internal.spi.AutoDiscoverable;
import org.glassfish.jersey.server.model.ModelProcessor;
import org.glassfish.jersey.server.model.Resource;
import org.glassfish.jersey.server.model.ResourceModel;

/**
 * Jersey only (Payara, GlassFish), found through {@code META-INF/services}: registers {@link ApiKeyFeature}
 * in every Jersey application, even one that lists its classes, and mounts {@link ManagementResource} at
 * {@code apiauth.management.path} when the management API is enabled. Other runtimes never load this class.
 */
public final class JerseyIntegration implements AutoDiscoverable {

    @Override
    public void configure(FeatureContext context) {
        if (!context.getConfiguration().isRegistered(ApiKeyFeature.class)) {
            context.register(ApiKeyFeature.class);
        }
        if (!context.getConfiguration().isRegistered(MountManagement.class)) {
            context.register(MountManagement.class);
        }
    }

    /** Adds the management resource to the application's model when enabled; when disabled nothing is mounted (404). */
    public static final class MountManagement implements ModelProcessor {

        private static final Logger LOG = Logger.getLogger(MountManagement.class.getName());
        private final AtomicBoolean announced = new AtomicBoolean();

        @Override
        public ResourceModel processResourceModel(ResourceModel model, Configuration configuration) {
            ApiAuthConfig config = CDI.current().select(ApiAuthConfig.class).get();
            if (!config.managementEnabled()) {
                return model;
            }
            for (Resource resource : model.getRootResources()) {
                if (resource.getHandlerClasses().stream().anyMatch(ManagementResource.class::isAssignableFrom)) {
                    return model; // the application mounted it itself
                }
            }
            if (announced.compareAndSet(false, true)) {
                LOG.info("API key management API mounted at " + config.managementPath() + " (scope " + config.managementScope() + ")");
            }
            return new ResourceModel.Builder(model.getRootResources(), false)
                    .addResource(Resource.builder(ManagementResource.class).path(config.managementPath()).build())
                    .build();
        }

        @Override
        public ResourceModel processSubResource(ResourceModel model, Configuration configuration) {
            return model;
        }
    }
}
