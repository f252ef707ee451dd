package dev.apiauth.jaxrs;

import dev.apiauth.ApiKeyRequired;
import dev.apiauth.ApiKeyRequired.Match;
import dev.apiauth.ScopeRequirement;
import jakarta.annotation.security.DenyAll;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What one resource method (or sub-resource locator) requires, found the way JAX-RS finds its own annotations
 * on inherited methods; decided once per method at deployment.
 *
 * <p>The resolution order, first hit wins:
 * <ol>
 *   <li>the method itself;</li>
 *   <li>the methods it overrides or implements: superclasses first (nearest first), then interfaces
 *       (those of the class, then of its superclasses, each followed by its super-interfaces);</li>
 *   <li>the class, its superclasses (nearest first), then its interfaces in the same order.</li>
 * </ol>
 * {@code @ApiKeyRequired} and the {@code jakarta.annotation.security} annotations are each resolved that way.
 * An {@code @ApiKeyRequired} found on a more specific place replaces one found further up entirely; nothing
 * else removes it: a {@code @PermitAll} as specific as (or more specific than) the {@code @ApiKeyRequired} it
 * would contradict is a deployment error rather than a silent choice.
 */
final class GuardRule {

    /** How specific a place is: lower wins. */
    private static final int METHOD = 0;
    private static final int CLASS = 1;

    /** The key requirement, never null for a protected method. */
    final ScopeRequirement required;
    /** From {@code @RolesAllowed}: the key needs one of these scopes as well; null when not restricted. */
    final ScopeRequirement roles;
    /** From {@code @DenyAll}: no key gets through. */
    final boolean denyAll;
    /** The rule of the sub-resource locator(s) this method was reached through; null for a root resource method. */
    private final GuardRule outer;

    private GuardRule(ScopeRequirement required, ScopeRequirement roles, boolean denyAll) {
        this(required, roles, denyAll, null);
    }

    private GuardRule(ScopeRequirement required, ScopeRequirement roles, boolean denyAll, GuardRule outer) {
        this.required = required;
        this.roles = roles;
        this.denyAll = denyAll;
        this.outer = outer;
    }

    /**
     * The rule of {@code method} as a member of {@code resourceClass}, or null when nothing requires a key.
     *
     * @throws IllegalStateException naming the method when its annotations contradict each other
     */
    static GuardRule resolve(Class<?> resourceClass, Method method) {
        Found<ApiKeyRequired> key = find(resourceClass, method, ApiKeyRequired.class);
        if (key == null) {
            return null;
        }
        String where = describe(resourceClass, method);
        ScopeRequirement required;
        try {
            required = ScopeRequirement.of(key.annotation);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("@ApiKeyRequired on " + key.describe() + " (for " + where + "): " + e.getMessage(), e);
        }
        Found<AnnotatedElement> security = findSecurity(resourceClass, method);
        if (security == null) {
            return new GuardRule(required, null, false);
        }
        AnnotatedElement place = security.annotation;
        boolean permitAll = place.isAnnotationPresent(PermitAll.class);
        boolean denyAll = place.isAnnotationPresent(DenyAll.class);
        RolesAllowed rolesAllowed = place.getAnnotation(RolesAllowed.class);
        if (permitAll && (denyAll || rolesAllowed != null)) {
            throw new IllegalStateException(where + ": @PermitAll on " + security.describe() + " is combined with "
                    + (denyAll ? "@DenyAll" : "@RolesAllowed") + " on the same element; keep one of them");
        }
        if (denyAll && rolesAllowed != null) {
            throw new IllegalStateException(where + ": @DenyAll and @RolesAllowed on " + security.describe()
                    + " contradict each other; keep one of them");
        }
        if (permitAll) {
            if (security.level <= key.level) {
                throw new IllegalStateException(where + " requires an API key (@ApiKeyRequired on " + key.describe()
                        + ") but @PermitAll on " + security.describe() + " would open it to everyone. Remove @PermitAll"
                        + " to keep the key requirement, or move the method to an unprotected class to make it public;"
                        + " nothing but an @ApiKeyRequired of its own overrides an inherited one");
            }
            return new GuardRule(required, null, false); // a class-wide @PermitAll, overridden by the method's own @ApiKeyRequired
        }
        ScopeRequirement roles = null;
        if (rolesAllowed != null) {
            try {
                roles = ScopeRequirement.of(Match.ANY, rolesAllowed.value());
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("@RolesAllowed on " + security.describe() + " (for " + where + "): " + e.getMessage(), e);
            }
            if (roles.scopes().isEmpty()) {
                denyAll = true; // @RolesAllowed({}) admits no role at all
                roles = null;
            }
        }
        return new GuardRule(required, roles, denyAll);
    }

    /** The management API's rule: its scope, nothing else. */
    static GuardRule management(String scope) {
        return new GuardRule(ScopeRequirement.of(Match.ALL, scope), null, false);
    }

    /** This rule and {@code outer} (a locator's) together: a key must satisfy both. */
    GuardRule and(GuardRule outer) {
        if (outer == null || outer == this) {
            return this;
        }
        return new GuardRule(required, roles, denyAll, this.outer == null ? outer : this.outer.and(outer));
    }

    /** Whether a key holding {@code scopes} passes the key requirement, the roles and every enclosing locator's rule. */
    boolean admits(Set<String> scopes) {
        return !denyAll && required.isSatisfiedBy(scopes) && (roles == null || roles.isSatisfiedBy(scopes))
                && (outer == null || outer.admits(scopes));
    }

    @Override
    public String toString() {
        String own = denyAll ? "no key (@DenyAll)" : required + (roles == null ? "" : " and one role of " + roles.scopes());
        return outer == null ? own : own + ", and " + outer;
    }

    // ---------------------------------------------------------------------------------------------- resolution

    private record Found<A>(A annotation, int level, AnnotatedElement on) {
        String describe() {
            if (on instanceof Method m) {
                return m.getDeclaringClass().getName() + "." + m.getName();
            }
            return ((Class<?>) on).getName();
        }
    }

    private static <A extends Annotation> Found<A> find(Class<?> resourceClass, Method method, Class<A> type) {
        for (Method candidate : methodChain(resourceClass, method)) {
            A annotation = candidate.getAnnotation(type);
            if (annotation != null) {
                return new Found<>(annotation, METHOD, candidate);
            }
        }
        for (Class<?> candidate : typeChain(resourceClass, method)) {
            A annotation = candidate.getDeclaredAnnotation(type);
            if (annotation != null) {
                return new Found<>(annotation, CLASS, candidate);
            }
        }
        return null;
    }

    /** The most specific place carrying any of the three security annotations, as the element itself. */
    private static Found<AnnotatedElement> findSecurity(Class<?> resourceClass, Method method) {
        for (Method candidate : methodChain(resourceClass, method)) {
            if (hasSecurityAnnotation(candidate)) {
                return new Found<>(candidate, METHOD, candidate);
            }
        }
        for (Class<?> candidate : typeChain(resourceClass, method)) {
            if (hasSecurityAnnotation(candidate)) {
                return new Found<>(candidate, CLASS, candidate);
            }
        }
        return null;
    }

    private static boolean hasSecurityAnnotation(AnnotatedElement element) {
        return element.isAnnotationPresent(RolesAllowed.class) || element.isAnnotationPresent(DenyAll.class)
                || element.isAnnotationPresent(PermitAll.class);
    }

    /**
     * The method and every method it overrides or implements, most specific first: the declarations in the
     * resource class and its superclasses, then in their interfaces.
     */
    static List<Method> methodChain(Class<?> resourceClass, Method method) {
        List<Method> chain = new ArrayList<>();
        chain.add(method);
        if (Modifier.isStatic(method.getModifiers()) || Modifier.isPrivate(method.getModifiers())) {
            return chain;
        }
        List<Class<?>> classes = new ArrayList<>();
        for (Class<?> c = resourceClass; c != null && c != Object.class; c = c.getSuperclass()) {
            classes.add(c);
        }
        if (!method.getDeclaringClass().isAssignableFrom(resourceClass)) {
            classes.add(method.getDeclaringClass()); // a method handed to us with an unrelated resource class: still check its own type
        }
        for (Class<?> c : classes) {
            addOverridden(chain, c, method);
        }
        for (Class<?> c : interfaces(classes)) {
            addOverridden(chain, c, method);
        }
        return chain;
    }

    private static void addOverridden(List<Method> chain, Class<?> type, Method method) {
        for (Method candidate : type.getDeclaredMethods()) {
            if (!chain.contains(candidate) && overrides(method, candidate)) {
                chain.add(candidate);
            }
        }
    }

    /**
     * Whether {@code method} overrides or implements {@code candidate}: same name, same number of parameters,
     * each parameter the same or a type variable of the candidate that the method's parameter fits (generic
     * interfaces: {@code Api<T>.put(T)} implemented as {@code put(String)}). Bridge methods are skipped.
     */
    static boolean overrides(Method method, Method candidate) {
        if (candidate.equals(method)) {
            return false;
        }
        if (!candidate.getName().equals(method.getName()) || candidate.getParameterCount() != method.getParameterCount()
                || candidate.isBridge() || candidate.isSynthetic()) {
            return false;
        }
        int modifiers = candidate.getModifiers();
        if (Modifier.isPrivate(modifiers) || Modifier.isStatic(modifiers)) {
            return false;
        }
        Class<?>[] own = method.getParameterTypes();
        Class<?>[] theirs = candidate.getParameterTypes();
        Type[] generic = candidate.getGenericParameterTypes();
        for (int i = 0; i < own.length; i++) {
            if (own[i] == theirs[i]) {
                continue;
            }
            boolean variable = i < generic.length && generic[i] instanceof TypeVariable<?>;
            if (!(variable && theirs[i].isAssignableFrom(own[i]))) {
                return false;
            }
        }
        return true;
    }

    /** The resource class, its superclasses, then all their interfaces (each followed by its super-interfaces). */
    static List<Class<?>> typeChain(Class<?> resourceClass, Method method) {
        List<Class<?>> classes = new ArrayList<>();
        for (Class<?> c = resourceClass; c != null && c != Object.class; c = c.getSuperclass()) {
            classes.add(c);
        }
        Class<?> declaring = method.getDeclaringClass();
        if (!declaring.isAssignableFrom(resourceClass)) {
            classes.add(declaring);
        }
        List<Class<?>> chain = new ArrayList<>(classes);
        chain.addAll(interfaces(classes));
        return chain;
    }

    private static Set<Class<?>> interfaces(List<Class<?>> classes) {
        Set<Class<?>> found = new LinkedHashSet<>();
        for (Class<?> c : classes) {
            Deque<Class<?>> pending = new ArrayDeque<>(List.of(c.getInterfaces()));
            while (!pending.isEmpty()) {
                Class<?> next = pending.poll();
                if (found.add(next)) {
                    pending.addAll(List.of(next.getInterfaces()));
                }
            }
        }
        return found;
    }

    static String describe(Class<?> resourceClass, Method method) {
        return resourceClass.getName() + "." + method.getName();
    }
}
