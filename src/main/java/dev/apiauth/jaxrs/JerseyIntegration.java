package dev.apiauth.jaxrs;

import dev.apiauth.ApiAuthConfig;
import jakarta.enterprise.inject.spi.CDI;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Configuration;
import jakarta.ws.rs.core.FeatureContext;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.lang.reflect.Method;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.glassfish.jersey.process.Inflector;
import org.glassfish.jersey.internal.spi.ForcedAutoDiscoverable;
import org.glassfish.jersey.server.model.Invocable;
import org.glassfish.jersey.server.model.ModelProcessor;
import org.glassfish.jersey.server.model.Resource;
import org.glassfish.jersey.server.model.ResourceMethod;
import org.glassfish.jersey.server.model.ResourceModel;
import org.glassfish.jersey.server.monitoring.ApplicationEvent;
import org.glassfish.jersey.server.monitoring.ApplicationEventListener;
import org.glassfish.jersey.server.monitoring.RequestEvent;
import org.glassfish.jersey.server.monitoring.RequestEventListener;

/**
 * Jersey only (Payara, GlassFish), found through {@code META-INF/services}: a <em>forced</em> auto-discoverable,
 * so Jersey applies it to every application, also one that lists its classes or switches auto-discovery off.
 * It registers {@link ApiKeyFeature}, guards sub-resource locators before they run ({@link LocatorGuard}), and
 * mounts {@link ManagementResource} at {@code apiauth.management.path} when the management API is enabled.
 * Other runtimes never load this class.
 */
public final class JerseyIntegration implements ForcedAutoDiscoverable {

    /**
     * Set on Payara's own Jersey applications. Payara adds its {@code /openapi} application to the servlet context of
     * the application at the root context, under that application's class loader, so Jersey finds this class for it
     * too; the management API must not appear there ({@code /openapi/api-keys}). The guard still registers there: it
     * guards nothing in Payara's resources, and an application that set this property itself keeps its guard.
     */
    static final String PAYARA_INTERNAL = "payara-internal";

    /** Whether this Jersey application is one of the server's own rather than the one this library was deployed with. */
    static boolean isServerApplication(Configuration configuration) {
        return "true".equalsIgnoreCase(String.valueOf(configuration.getProperty(PAYARA_INTERNAL)));
    }

    @Override
    public void configure(FeatureContext context) {
        Configuration configuration = context.getConfiguration();
        if (!configuration.isRegistered(ApiKeyFeature.class)) {
            context.register(new ApiKeyFeature(configuration)); // the application's live configuration, complete before features run
        }
        if (!configuration.isRegistered(LocatorGuard.class)) {
            context.register(new LocatorGuard());
        }
        // the guard goes everywhere (an application marking itself payara-internal keeps it); the endpoints do not
        if (!isServerApplication(configuration) && !configuration.isRegistered(MountManagement.class)) {
            context.register(MountManagement.class);
        }
    }

    /** Adds the management resource to the application's model when enabled; when disabled nothing is mounted (404). */
    public static final class MountManagement implements ModelProcessor {

        private static final Logger LOG = Logger.getLogger(MountManagement.class.getName());
        private final AtomicBoolean announced = new AtomicBoolean();

        @Override
        public ResourceModel processResourceModel(ResourceModel model, Configuration configuration) {
            if (isServerApplication(configuration)) {
                return model; // registered by the application itself in a server's application: still not ours
            }
            ApiAuthConfig config = CDI.current().select(ApiAuthConfig.class).get();
            ResourceModel.Builder mounted = new ResourceModel.Builder(model.getRootResources(), false);
            boolean changed = false;
            if (config.managementEnabled() && model.getRootResources().stream()
                    .noneMatch(r -> r.getHandlerClasses().stream().anyMatch(ManagementResource.class::isAssignableFrom))) {
                if (announced.compareAndSet(false, true)) {
                    LOG.info("API key management API mounted at " + config.managementPath() + " (scope " + config.managementScope() + ")");
                }
                mounted.addResource(Resource.builder(ManagementResource.class).path(config.managementPath()).build());
                changed = true; // else the application mounted it itself
            }
            if (config.githubAlertsEnabled()) {
                String path = config.managementPath() + "/" + GitHubAlertsResource.PATH;
                Resource.Builder alerts = Resource.builder().path(path);
                alerts.addMethod("POST").consumes(MediaType.WILDCARD_TYPE).produces(MediaType.APPLICATION_JSON_TYPE)
                        .handledBy(new GitHubAlertEndpoint(GitHubAlertsResource.fromCdi(config)));
                mounted.addResource(alerts.build());
                changed = true;
                LOG.info("GitHub secret-scanning alerts accepted at " + path + " (signed by " + GitHubAlertsResource.keysForLog(config) + ")");
            }
            return changed ? mounted.build() : model;
        }

        @Override
        public ResourceModel processSubResource(ResourceModel model, Configuration configuration) {
            return model;
        }
    }

    /** GitHub's alerts, at a path taken from the configuration: an inflector in front of {@link GitHubAlertsResource}. */
    static final class GitHubAlertEndpoint implements Inflector<ContainerRequestContext, Response> {

        private final GitHubAlertsResource resource;

        GitHubAlertEndpoint(GitHubAlertsResource resource) {
            this.resource = resource;
        }

        @Override
        public Response apply(ContainerRequestContext request) {
            return resource.answer(request.getEntityStream(), request.getHeaderString("Github-Public-Key-Identifier"),
                    request.getHeaderString("Github-Public-Key-Signature"));
        }
    }

    /**
     * Checks the key of a request before Jersey calls a protected sub-resource locator, so the locator's own code
     * never runs for a request without a valid key. Jersey calls locators while it matches the request, before
     * any post-matching filter; the last notice before that call is the {@code LOCATOR_MATCHED} request event,
     * and an exception thrown there ends the request with its response. Locator rules are resolved when the
     * model is built (a contradiction fails the deployment), sub-resources' locators when Jersey first builds
     * their model. Applications without locators pay nothing: no per-request listener is returned.
     */
    public static final class LocatorGuard implements ModelProcessor, ApplicationEventListener, RequestEventListener {

        private static final Logger LOG = Logger.getLogger(LocatorGuard.class.getName());
        /** Rules by (class, method): a locator inherited by several classes has one Method but a rule per class. */
        private final Map<Target, Optional<GuardRule>> rules = new ConcurrentHashMap<>();
        private volatile boolean hasLocators;
        private volatile Guard guard;

        private record Target(Class<?> type, Method method) {
        }

        @Override
        public ResourceModel processResourceModel(ResourceModel model, Configuration configuration) {
            resolve(model.getResources(), new HashSet<>());
            return model;
        }

        @Override
        public ResourceModel processSubResource(ResourceModel model, Configuration configuration) {
            resolve(model.getResources(), new HashSet<>());
            return model;
        }

        /**
         * Resolves every locator's rule, and the rules of the types locators declare they return (recursively), so
         * that a contradiction anywhere fails the deployment rather than a request.
         */
        private void resolve(List<Resource> resources, Set<Class<?>> seen) {
            for (Resource resource : resources) {
                ResourceMethod locator = resource.getResourceLocator();
                if (locator != null) {
                    hasLocators = true;
                    Invocable invocable = locator.getInvocable();
                    ruleOf(invocable.getHandler().getHandlerClass(), invocable.getHandlingMethod());
                    resolveType(invocable.getHandlingMethod().getReturnType(), seen);
                }
                resolve(resource.getChildResources(), seen);
            }
        }

        /** The rules of every resource method and locator of a type a locator returns, and of what its locators return. */
        private void resolveType(Class<?> type, Set<Class<?>> seen) {
            if (type == Object.class || type == Class.class || type.isPrimitive() || type.isArray() || !seen.add(type)) {
                return;
            }
            for (Method method : type.getMethods()) {
                if (ApiKeyFeature.isLocator(type, method)) {
                    ApiKeyFeature.rule(type, method);
                    resolveType(method.getReturnType(), seen);
                } else if (ApiKeyFeature.isResourceMethod(type, method)) {
                    ApiKeyFeature.rule(type, method);
                }
            }
        }

        private GuardRule ruleOf(Class<?> type, Method method) {
            return rules.computeIfAbsent(new Target(type, method), t -> Optional.ofNullable(ApiKeyFeature.rule(t.type, t.method)))
                    .orElse(null);
        }

        @Override
        public void onEvent(ApplicationEvent event) {
            if (event.getType() == ApplicationEvent.Type.INITIALIZATION_FINISHED && event.getResourceModel() != null) {
                resolve(event.getResourceModel().getResources(), new HashSet<>()); // the final model, after every processor
            }
        }

        @Override
        public RequestEventListener onRequest(RequestEvent requestEvent) {
            return hasLocators ? this : null; // stateless: one instance serves every request
        }

        @Override
        public void onEvent(RequestEvent event) {
            if (event.getType() != RequestEvent.Type.LOCATOR_MATCHED) {
                return;
            }
            ResourceMethod locator = event.getUriInfo().getMatchedResourceLocators().get(0); // the one about to run
            Invocable invocable = locator.getInvocable();
            GuardRule rule;
            try {
                rule = ruleOf(invocable.getHandler().getHandlerClass(), invocable.getHandlingMethod());
            } catch (IllegalStateException e) {
                LOG.log(Level.SEVERE, e.getMessage(), e);
                throw new WebApplicationException(Problems.of(500, "guard-misconfigured", "Server misconfiguration",
                        "This endpoint's protection is contradictory; the server log names the method."));
            }
            if (rule == null) {
                return;
            }
            Response refusal = guard().check(event.getContainerRequest(), rule, false);
            if (refusal != null) {
                throw new WebApplicationException(refusal);
            }
        }

        private Guard guard() {
            Guard g = guard;
            if (g == null) {
                g = Guard.fromCdi();
                guard = g;
            }
            return g;
        }
    }
}
