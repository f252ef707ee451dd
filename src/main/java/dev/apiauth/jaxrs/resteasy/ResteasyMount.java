package dev.apiauth.jaxrs.resteasy;

import dev.apiauth.ApiAuthConfig;
import dev.apiauth.jaxrs.GitHubAlertsResource;
import dev.apiauth.jaxrs.ManagementResource;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.jboss.resteasy.core.ResteasyContext;
import org.jboss.resteasy.spi.Registry;
import org.jboss.resteasy.spi.ResteasyDeployment;
import org.jboss.resteasy.spi.metadata.ResourceBuilder;
import org.jboss.resteasy.spi.metadata.ResourceClass;

/**
 * Mounts the management API (and GitHub's leak alerts) in the RESTEasy application being deployed, at paths taken from
 * the configuration, through RESTEasy's registry. Defined by {@code ResteasyIntegration}'s bridge loader only: never
 * load it directly. Features run before the application's resources are registered, so whether the application mounts
 * a {@link ManagementResource} subclass itself is read from what the deployment lists or scanned.
 */
public final class ResteasyMount implements Function<ApiAuthConfig, String> {

    @Override
    public String apply(ApiAuthConfig config) {
        Registry registry = ResteasyContext.getContextData(Registry.class);
        if (registry == null) {
            throw new IllegalStateException("RESTEasy's registry is not available while features are configured");
        }
        List<String> said = new ArrayList<>();
        if (config.managementEnabled() && !mountsItself(ResteasyContext.getContextData(ResteasyDeployment.class))) {
            registry.addPerRequestResource(at(config.managementPath()).getRootResourceFromAnnotations(ManagementResource.class));
            said.add("API key management API mounted at " + config.managementPath() + " (scope " + config.managementScope() + ")");
        }
        if (config.githubAlertsEnabled()) {
            String path = config.managementPath() + "/" + GitHubAlertsResource.PATH;
            registry.addSingletonResource(GitHubAlertsResource.fromCdi(config),
                    at(path).getRootResourceFromAnnotations(GitHubAlertsResource.class));
            said.add("GitHub secret-scanning alerts accepted at " + path + " (signed by " + GitHubAlertsResource.keysForLog(config) + ")");
        }
        return said.isEmpty() ? null : String.join("; ", said);
    }

    /** A resource builder that roots a class without {@code @Path} at {@code path}. */
    private static ResourceBuilder at(String path) {
        String root = path.startsWith("/") ? path : "/" + path;
        return new ResourceBuilder() {
            @Override
            protected ResourceClassBuilder createResourceClassBuilder(Class<?> type) {
                return buildRootResource(type, root);
            }
        };
    }

    /**
     * Whether the application mounts a subclass of {@link ManagementResource} itself (the documented way before), among the
     * resource classes RESTEasy will register ({@link ResteasyResources}).
     */
    private static boolean mountsItself(ResteasyDeployment deployment) {
        return deployment != null && ResteasyResources.of(deployment).stream().anyMatch(ManagementResource.class::isAssignableFrom);
    }
}
