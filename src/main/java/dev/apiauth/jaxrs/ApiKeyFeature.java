package dev.apiauth.jaxrs;

import dev.apiauth.ApiKeyRequired;
import dev.apiauth.ApiKeyRequired.Match;
import dev.apiauth.ScopeRequirement;
import jakarta.annotation.security.DenyAll;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.DynamicFeature;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.FeatureContext;
import jakarta.ws.rs.ext.Provider;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Method;

/**
 * Reads {@code @ApiKeyRequired} (method first, then class) and the {@code jakarta.annotation.security}
 * annotations of each resource method once, when the application starts, and registers a filter that
 * already knows what the method needs. Methods without {@code @ApiKeyRequired} are left alone.
 *
 * <p>Found by JAX-RS provider scanning, and registered by the library's Jersey integration even when the
 * application lists its classes explicitly. Elsewhere, add this class to your {@code Application}'s classes.
 */
@Provider
public final class ApiKeyFeature implements DynamicFeature {

    private volatile Guard guard;

    @Override
    public void configure(ResourceInfo resourceInfo, FeatureContext context) {
        Class<?> resourceClass = resourceInfo.getResourceClass();
        Method method = resourceInfo.getResourceMethod();
        if (resourceClass == null || method == null) {
            return;
        }
        ScopeRequirement required;
        if (ManagementResource.class.isAssignableFrom(resourceClass)) {
            required = ScopeRequirement.of(Match.ALL, guard().config.managementScope());
        } else {
            ApiKeyRequired annotation = method.getAnnotation(ApiKeyRequired.class);
            if (annotation == null) {
                annotation = resourceClass.getAnnotation(ApiKeyRequired.class);
            }
            if (annotation == null) {
                return;
            }
            try {
                required = ScopeRequirement.of(annotation);
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("@ApiKeyRequired on " + describe(resourceClass, method) + ": " + e.getMessage(), e);
            }
        }
        AnnotatedElement rolesSource = hasRoleAnnotation(method) ? method : resourceClass;
        boolean denyAll = rolesSource.isAnnotationPresent(DenyAll.class);
        ScopeRequirement roles = null;
        RolesAllowed rolesAllowed = rolesSource.getAnnotation(RolesAllowed.class);
        if (!denyAll && rolesAllowed != null && !rolesSource.isAnnotationPresent(PermitAll.class)) {
            try {
                roles = ScopeRequirement.of(Match.ANY, rolesAllowed.value());
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("@RolesAllowed on " + describe(resourceClass, method) + ": " + e.getMessage(), e);
            }
        }
        context.register(new ApiKeyFilter(guard(), required, roles, denyAll), Priorities.AUTHENTICATION);
    }

    private Guard guard() {
        Guard g = guard;
        if (g == null) {
            g = Guard.fromCdi();
            guard = g;
        }
        return g;
    }

    private static boolean hasRoleAnnotation(Method method) {
        return method.isAnnotationPresent(RolesAllowed.class) || method.isAnnotationPresent(DenyAll.class)
                || method.isAnnotationPresent(PermitAll.class);
    }

    private static String describe(Class<?> resourceClass, Method method) {
        return resourceClass.getName() + "." + method.getName();
    }
}
