package dev.apiauth.jaxrs;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.DynamicFeature;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.FeatureContext;
import jakarta.ws.rs.ext.Provider;
import java.lang.reflect.Method;

/**
 * Resolves what each resource method requires once, when the application starts ({@link GuardRule}: the
 * method, the methods it overrides or implements, then the class and its supertypes), and registers a filter
 * that already knows it. Methods nothing protects are left alone.
 *
 * <p>Registered in every application whatever its registration style: on Jersey by {@link JerseyIntegration}
 * (a forced auto-discoverable, so also with auto-discovery off), on RESTEasy as a built-in provider
 * ({@code META-INF/services/jakarta.ws.rs.ext.Providers}), elsewhere by provider scanning.
 */
@Provider
public final class ApiKeyFeature implements DynamicFeature {

    /** Payara's JAX-RS {@code @RolesAllowed} feature (WEB-INF/payara-web.xml {@code jaxrs-roles-allowed-enabled}). */
    static final String PAYARA_ROLES_FEATURE = "fish.payara.microprofile.jwtauth.jaxrs.RolesAllowedDynamicFeature";

    private volatile Guard guard;

    @Override
    public void configure(ResourceInfo resourceInfo, FeatureContext context) {
        Class<?> resourceClass = resourceInfo.getResourceClass();
        Method method = resourceInfo.getResourceMethod();
        if (resourceClass == null || method == null) {
            return;
        }
        if (ManagementResource.class.isAssignableFrom(resourceClass)) {
            Guard g = guard();
            context.register(new ApiKeyFilter(g, GuardRule.management(g.config.managementScope()), true), Priorities.AUTHENTICATION);
            return;
        }
        GuardRule rule = rule(resourceClass, method);
        if (rule == null) {
            return;
        }
        if (hasContainerVisibleRoles(resourceClass, method) && containerChecksRoles(context)) {
            throw new IllegalStateException(GuardRule.describe(resourceClass, method) + " requires an API key and has"
                    + " @RolesAllowed, but Payara's own JAX-RS @RolesAllowed check is active in this application and would"
                    + " demand a container login (401 Basic) after the key was accepted. Express the roles as key scopes,"
                    + " @ApiKeyRequired(scopes = {...}, match = Match.ANY), which keeps Payara's check for the application's"
                    + " other resources (MicroProfile JWT relies on it); or, only if no resource of this application relies on"
                    + " container roles, set <jaxrs-roles-allowed-enabled>false</jaxrs-roles-allowed-enabled> in WEB-INF/payara-web.xml");
        }
        context.register(new ApiKeyFilter(guard(), rule, false), Priorities.AUTHENTICATION);
    }

    /** The rule of a resource method or locator, or null; a contradiction fails the deployment naming the method. */
    static GuardRule rule(Class<?> resourceClass, Method method) {
        try {
            return GuardRule.resolve(resourceClass, method);
        } catch (IllegalStateException e) {
            throw new IllegalStateException("jakarta-api-auth cannot guard " + GuardRule.describe(resourceClass, method)
                    + ": " + e.getMessage(), e);
        }
    }

    Guard guard() {
        Guard g = guard;
        if (g == null) {
            g = Guard.fromCdi();
            guard = g;
        }
        return g;
    }

    /** Whether a {@code @RolesAllowed} with roles is where Payara's feature looks: on the method or its class. */
    private static boolean hasContainerVisibleRoles(Class<?> resourceClass, Method method) {
        RolesAllowed roles = method.getAnnotation(RolesAllowed.class);
        if (roles == null) {
            roles = resourceClass.getAnnotation(RolesAllowed.class);
        }
        return roles != null && roles.value().length > 0;
    }

    /** Whether a container feature that enforces {@link RolesAllowed} through a container login is registered too. */
    private static boolean containerChecksRoles(FeatureContext context) {
        for (Class<?> registered : context.getConfiguration().getClasses()) {
            if (registered.getName().equals(PAYARA_ROLES_FEATURE)) {
                return true;
            }
        }
        for (Object registered : context.getConfiguration().getInstances()) {
            if (registered.getClass().getName().equals(PAYARA_ROLES_FEATURE)) {
                return true;
            }
        }
        return false;
    }
}
