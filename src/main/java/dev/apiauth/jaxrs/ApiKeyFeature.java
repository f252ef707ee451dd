package dev.apiauth.jaxrs;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.DynamicFeature;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Configuration;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Feature;
import jakarta.ws.rs.core.FeatureContext;
import jakarta.ws.rs.ext.Provider;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Resolves what each resource method requires once, when the application starts ({@link GuardRule}: the
 * method, the methods it overrides or implements, then the class and its supertypes), and registers a filter
 * that already knows it. Methods nothing protects are left alone.
 *
 * <p>Registered in every application whatever its registration style: on Jersey by {@link JerseyIntegration}
 * (a forced auto-discoverable, so also with auto-discovery off), on RESTEasy as a built-in provider
 * ({@code META-INF/services/jakarta.ws.rs.ext.Providers}) and by {@link ResteasyIntegration} (a feature service), and
 * through {@code resteasy.providers} where the application switches built-in providers off
 * ({@link ResteasyProvidersInitializer}); elsewhere by provider scanning.
 *
 * <p>On RESTEasy it is also a {@link Feature}: when it is registered, it checks the application's protected sub-resource
 * locators ({@link ResteasyIntegration#requireGuardableLocators}), which RESTEasy never shows to a {@code DynamicFeature}.
 * Wherever the guard is, so is that check, whichever route registered it.
 */
@Provider
public final class ApiKeyFeature implements DynamicFeature, Feature {

    /** Payara's JAX-RS {@code @RolesAllowed} feature (WEB-INF/payara-web.xml {@code jaxrs-roles-allowed-enabled}). */
    static final String PAYARA_ROLES_FEATURE = "fish.payara.microprofile.jwtauth.jaxrs.RolesAllowedDynamicFeature";

    private volatile Guard guard;
    private final Set<Class<?>> checkedClasses = ConcurrentHashMap.newKeySet();

    /** The application's configuration (what it registered): a DynamicFeature's own context holds only properties. */
    @Context
    private Configuration application;
    /** The same, handed over by {@link JerseyIntegration} when it registers this feature (no injection needed). */
    private final Configuration registeredIn;

    /** For provider scanning. */
    public ApiKeyFeature() {
        this(null);
    }

    ApiKeyFeature(Configuration registeredIn) {
        this.registeredIn = registeredIn;
    }

    /**
     * RESTEasy: fails the application when a protected sub-resource locator of one of its resource classes cannot be
     * guarded. The servlet initializer checks the same, but a {@code web.xml} with an empty {@code <absolute-ordering/>}
     * keeps the servlet container from running it (before: {@code locator/items/7} answered 200 without a key on WildFly
     * and Open Liberty, {@code DeploymentFailureIT}). Jersey guards locators itself ({@link JerseyIntegration.LocatorGuard}).
     */
    @Override
    public boolean configure(FeatureContext context) {
        if (ResteasyIntegration.isResteasy(context)) {
            ResteasyIntegration.requireGuardableLocators(context);
        }
        return true;
    }

    @Override
    public void configure(ResourceInfo resourceInfo, FeatureContext context) {
        Class<?> resourceClass = resourceInfo.getResourceClass();
        Method method = resourceInfo.getResourceMethod();
        if (resourceClass == null || method == null) {
            return;
        }
        if (isManagementMethod(resourceClass, method)) {
            Guard g = guard();
            boolean self = ManagementResource.isSelf(method); // a key reads its own record: any valid key
            GuardRule rule = self ? GuardRule.anyKey() : GuardRule.management(g.config.managementScope());
            OpenApiRoutes.recordManagement(resourceClass, method, rule);
            context.register(new ApiKeyFilter(g, rule, !self), Priorities.AUTHENTICATION);
            return;
        }
        if (!isJersey(resourceInfo) && checkedClasses.add(resourceClass)) {
            requireGuardableLocators(resourceClass);
        }
        GuardRule rule = rule(resourceClass, method);
        OpenApiRoutes.record(resourceClass, method, rule);
        if (rule == null) {
            return;
        }
        if (hasContainerVisibleRoles(resourceClass, method)
                && (containerChecksRoles(registeredIn) || containerChecksRoles(application)
                    || containerChecksRoles(context.getConfiguration()))) {
            throw new IllegalStateException(GuardRule.describe(resourceClass, method) + " requires an API key and has"
                    + " @RolesAllowed, but Payara's own JAX-RS @RolesAllowed check is active in this application and would"
                    + " demand a container login (401 Basic) after the key was accepted. Express the roles as key scopes,"
                    + " @ApiKeyRequired(scopes = {...}, match = Match.ANY), which keeps Payara's check for the application's"
                    + " other resources (MicroProfile JWT relies on it); or, only if no resource of this application relies on"
                    + " container roles, set <jaxrs-roles-allowed-enabled>false</jaxrs-roles-allowed-enabled> in WEB-INF/payara-web.xml");
        }
        context.register(new ApiKeyFilter(guard(), rule, false), Priorities.AUTHENTICATION);
    }

    /** A method of the management API itself (a subclass's own methods get their own rules). */
    private static boolean isManagementMethod(Class<?> resourceClass, Method method) {
        if (!ManagementResource.class.isAssignableFrom(resourceClass)) {
            return false;
        }
        for (Method m : GuardRule.methodChain(resourceClass, method)) {
            if (m.getDeclaringClass() == ManagementResource.class) {
                return true;
            }
        }
        return false;
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

    /** Jersey guards locators before they run ({@link JerseyIntegration.LocatorGuard}); other runtimes do not tell us. */
    private static boolean isJersey(ResourceInfo resourceInfo) {
        return resourceInfo.getClass().getName().startsWith("org.glassfish.jersey.");
    }

    /**
     * {@link #requireGuardableLocators} for each of {@code resourceClasses}: what it says of each that fails (none: empty).
     * A class the application cannot load is not one the runtime will serve, and is skipped.
     */
    static List<String> unguardableLocators(Iterable<Class<?>> resourceClasses) {
        List<String> problems = new ArrayList<>();
        for (Class<?> type : resourceClasses) {
            try {
                requireGuardableLocators(type);
            } catch (IllegalStateException e) {
                problems.add(e.getMessage());
            } catch (LinkageError e) {
                // not loadable: not served
            }
        }
        return problems;
    }

    /**
     * Without Jersey, a sub-resource method cannot know which locator led to it, so a protected locator is only
     * safe when every resource method of the type it returns is protected by its own annotations. Anything else
     * fails the deployment, naming the locator.
     */
    static void requireGuardableLocators(Class<?> resourceClass) {
        for (Method candidate : resourceClass.getMethods()) {
            GuardRule locatorRule = isLocator(resourceClass, candidate) ? rule(resourceClass, candidate) : null;
            if (locatorRule == null) {
                continue;
            }
            Class<?> sub = candidate.getReturnType();
            String unguarded = null;
            if (sub == Object.class || sub.isPrimitive() || sub == Class.class) {
                unguarded = "its return type " + sub.getName() + " does not say which resource it returns";
            } else {
                for (Method subMethod : sub.getMethods()) {
                    if (!isResourceMethod(sub, subMethod)) {
                        continue;
                    }
                    GuardRule own = rule(sub, subMethod);
                    if (own == null || !own.implies(locatorRule)) {
                        unguarded = sub.getName() + "." + subMethod.getName() + (own == null ? " has no @ApiKeyRequired of its own"
                                : " does not require everything the locator requires (" + locatorRule + ")");
                        break;
                    }
                }
            }
            if (unguarded != null) {
                throw new IllegalStateException("jakarta-api-auth cannot guard the sub-resource locator "
                        + GuardRule.describe(resourceClass, candidate) + " on this JAX-RS runtime: the runtime calls a locator"
                        + " before any filter and does not tell the sub-resource which locator led to it, and " + unguarded
                        + ". Put @ApiKeyRequired on the sub-resource class (and declare it as the locator's return type)");
            }
        }
    }

    static boolean isLocator(Class<?> type, Method method) {
        boolean path = false;
        for (Method m : GuardRule.methodChain(type, method)) {
            if (hasHttpMethod(m)) {
                return false;
            }
            path |= m.isAnnotationPresent(Path.class);
        }
        return path;
    }

    static boolean isResourceMethod(Class<?> type, Method method) {
        for (Method m : GuardRule.methodChain(type, method)) {
            if (hasHttpMethod(m)) {
                return true;
            }
        }
        return isLocator(type, method);
    }

    private static boolean hasHttpMethod(Method method) {
        for (java.lang.annotation.Annotation annotation : method.getAnnotations()) {
            if (annotation.annotationType().isAnnotationPresent(HttpMethod.class)) {
                return true;
            }
        }
        return false;
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
    private static boolean containerChecksRoles(Configuration configuration) {
        if (configuration == null) {
            return false;
        }
        for (Class<?> registered : configuration.getClasses()) {
            if (registered.getName().equals(PAYARA_ROLES_FEATURE)) {
                return true;
            }
        }
        for (Object registered : configuration.getInstances()) {
            if (registered.getClass().getName().equals(PAYARA_ROLES_FEATURE)) {
                return true;
            }
        }
        return false;
    }
}
