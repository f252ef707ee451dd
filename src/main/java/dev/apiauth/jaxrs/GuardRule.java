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
 * <p>The rule (the README's "Security rules" states it for users):
 * <ol>
 *   <li>the method's own {@code @ApiKeyRequired} (declared in the resource class itself) decides alone;</li>
 *   <li>otherwise everything it inherits must hold together: the nearest superclass declaration carrying one,
 *       every implemented interface method carrying one, and the first one of the class, its superclasses
 *       (nearest first) and its interfaces;</li>
 *   <li>nothing found: not protected.</li>
 * </ol>
 * {@code @RolesAllowed}/{@code @DenyAll}/{@code @PermitAll} are found the same way. Nothing but the method's own
 * {@code @ApiKeyRequired} removes a requirement: a {@code @PermitAll} as specific as (or more specific than) the
 * {@code @ApiKeyRequired} it would contradict is a deployment error rather than a silent choice. A rule is a chain
 * of parts that must all admit a key ({@link #and}).
 */
final class GuardRule {

    /** How specific a place is, most specific first. */
    private static final int OWN = 0;
    private static final int INHERITED = 1;
    private static final int CLASS = 2;

    /** The key requirement, never null for a protected method. */
    final ScopeRequirement required;
    /** From {@code @RolesAllowed}: the key needs one of these scopes as well; null when not restricted. */
    final ScopeRequirement roles;
    /** From {@code @DenyAll}: no key gets through. */
    final boolean denyAll;
    /** A further part that must hold as well (an inherited requirement, a role annotation); null when none. */
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
        Class<?> type = unproxied(resourceClass);
        String where = describe(type, method);
        Method own = declaredIn(type, method);
        List<Method> inherited = methodChain(type, method);
        inherited.remove(own);
        inherited.remove(method.getDeclaringClass() == type ? method : null);

        // the requirement: the method's own annotation alone, or everything it inherits together
        List<Found<ApiKeyRequired>> keys = new ArrayList<>();
        if (own != null && own.isAnnotationPresent(ApiKeyRequired.class)) {
            keys.add(new Found<>(own.getAnnotation(ApiKeyRequired.class), OWN, own));
        } else {
            collect(inherited, ApiKeyRequired.class, keys);
            Class<?> holder = firstTypeWith(type, method, ApiKeyRequired.class);
            if (holder != null) {
                keys.add(new Found<>(holder.getDeclaredAnnotation(ApiKeyRequired.class), CLASS, holder));
            }
        }
        if (keys.isEmpty()) {
            return null;
        }
        int keyLevel = keys.get(0).level;

        // the security annotations, found the same way
        List<AnnotatedElement> security = new ArrayList<>();
        List<Integer> securityLevels = new ArrayList<>();
        if (own != null && hasSecurityAnnotation(own)) {
            security.add(own);
            securityLevels.add(OWN);
        } else {
            for (Method m : nearestAndInterfaces(inherited, type)) {
                if (hasSecurityAnnotation(m)) {
                    security.add(m);
                    securityLevels.add(INHERITED);
                }
            }
            for (Class<?> c : typeChain(type, method)) {
                if (hasSecurityAnnotation(c)) {
                    security.add(c);
                    securityLevels.add(CLASS);
                    break;
                }
            }
        }

        GuardRule rule = null;
        for (Found<ApiKeyRequired> key : keys) {
            ScopeRequirement required;
            try {
                required = ScopeRequirement.of(key.annotation);
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("@ApiKeyRequired on " + key.describe() + " (for " + where + "): " + e.getMessage(), e);
            }
            rule = and(rule, new GuardRule(required, null, false));
        }
        for (int i = 0; i < security.size(); i++) {
            AnnotatedElement place = security.get(i);
            String at = describe(place);
            boolean permitAll = place.isAnnotationPresent(PermitAll.class);
            boolean denyAll = place.isAnnotationPresent(DenyAll.class);
            RolesAllowed rolesAllowed = place.getAnnotation(RolesAllowed.class);
            if (permitAll && (denyAll || rolesAllowed != null)) {
                throw new IllegalStateException(where + ": @PermitAll on " + at + " is combined with "
                        + (denyAll ? "@DenyAll" : "@RolesAllowed") + " on the same element; keep one of them");
            }
            if (denyAll && rolesAllowed != null) {
                throw new IllegalStateException(where + ": @DenyAll and @RolesAllowed on " + at + " contradict each other; keep one of them");
            }
            if (permitAll) {
                if (securityLevels.get(i) <= keyLevel) {
                    throw new IllegalStateException(where + " requires an API key (@ApiKeyRequired on " + keys.get(0).describe()
                            + ") but @PermitAll on " + at + " would open it to everyone. Remove @PermitAll to keep the key"
                            + " requirement, or move the method to an unprotected class to make it public; nothing but an"
                            + " @ApiKeyRequired of the method's own overrides an inherited one");
                }
                continue; // a less specific @PermitAll gives way to the more specific @ApiKeyRequired
            }
            if (denyAll) {
                rule = and(rule, new GuardRule(ScopeRequirement.ANY_KEY, null, true));
                continue;
            }
            ScopeRequirement roles;
            try {
                roles = ScopeRequirement.of(Match.ANY, rolesAllowed.value());
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("@RolesAllowed on " + at + " (for " + where + "): " + e.getMessage(), e);
            }
            // @RolesAllowed({}) admits no role at all
            rule = and(rule, roles.scopes().isEmpty() ? new GuardRule(ScopeRequirement.ANY_KEY, null, true)
                    : new GuardRule(ScopeRequirement.ANY_KEY, roles, false));
        }
        return rule;
    }

    private static GuardRule and(GuardRule first, GuardRule next) {
        return first == null ? next : first.and(next);
    }

    /** Any valid key, whatever its scopes (the management API's {@code self}). */
    static GuardRule anyKey() {
        return new GuardRule(ScopeRequirement.ANY_KEY, null, false);
    }

    /** The management API's rule: its scope, nothing else. */
    static GuardRule management(String scope) {
        return new GuardRule(ScopeRequirement.of(Match.ALL, scope), null, false);
    }

    /** This rule and {@code outer} together: a key must satisfy both. */
    GuardRule and(GuardRule outer) {
        if (outer == null || outer == this) {
            return this;
        }
        return new GuardRule(required, roles, denyAll, this.outer == null ? outer : this.outer.and(outer));
    }

    /**
     * Whether every key this rule admits is also admitted by {@code other} (so checking this one alone is enough).
     * Conservative: false when it cannot tell.
     */
    boolean implies(GuardRule other) {
        List<GuardRule> mine = parts();
        for (GuardRule part : mine) {
            if (part.denyAll) {
                return true; // admits nobody
            }
        }
        java.util.Set<String> allOf = new java.util.HashSet<>();
        for (GuardRule part : mine) {
            if (part.required.match() == Match.ALL) {
                allOf.addAll(part.required.scopes());
            }
        }
        for (GuardRule theirs : other.parts()) {
            if (theirs.denyAll) {
                return false;
            }
            if (theirs.roles != null && mine.stream().noneMatch(p -> p.roles != null && theirs.roles.scopes().containsAll(p.roles.scopes()))) {
                return false;
            }
            ScopeRequirement needed = theirs.required;
            if (needed.scopes().isEmpty()) {
                continue;
            }
            boolean covered = needed.match() == Match.ALL
                    ? allOf.containsAll(needed.scopes())
                    : needed.scopes().stream().anyMatch(allOf::contains) || mine.stream().anyMatch(p -> p.required.match() == Match.ANY
                            && !p.required.scopes().isEmpty() && needed.scopes().containsAll(p.required.scopes()));
            if (!covered) {
                return false;
            }
        }
        return true;
    }

    private List<GuardRule> parts() {
        List<GuardRule> parts = new ArrayList<>();
        for (GuardRule r = this; r != null; r = r.outer) {
            parts.add(r);
        }
        return parts;
    }

    /**
     * The rule as alternatives (any one suffices), each the set of scopes a key must hold together: the form of an
     * OpenAPI security requirement list. Empty when no key passes ({@code @DenyAll}); a single empty set when any valid
     * key does. Capped at {@code max} alternatives (null beyond: too many to list).
     */
    List<Set<String>> alternatives(int max) {
        List<Set<String>> result = new ArrayList<>();
        result.add(Set.of());
        for (GuardRule part : parts()) {
            if (part.denyAll) {
                return List.of();
            }
            for (ScopeRequirement requirement : new ScopeRequirement[] {part.required, part.roles}) {
                if (requirement == null || requirement.scopes().isEmpty()) {
                    continue;
                }
                List<Set<String>> choices = requirement.match() == Match.ALL ? List.of(requirement.scopes())
                        : requirement.scopes().stream().sorted().map(Set::of).toList(); // sorted: a stable document
                List<Set<String>> next = new ArrayList<>();
                for (Set<String> sofar : result) {
                    for (Set<String> choice : choices) {
                        Set<String> both = new java.util.TreeSet<>(sofar);
                        both.addAll(choice);
                        if (!next.contains(both)) {
                            next.add(both);
                        }
                    }
                }
                if (next.size() > max) {
                    return null;
                }
                result = next;
            }
        }
        return result;
    }

    /** Whether a key holding {@code scopes} passes every part of this rule. */
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
            return GuardRule.describe(on);
        }
    }

    private static String describe(AnnotatedElement on) {
        if (on instanceof Method m) {
            return m.getDeclaringClass().getName() + "." + m.getName();
        }
        return ((Class<?>) on).getName();
    }

    /** The declaration of {@code method} in {@code type} itself, or null when {@code type} inherits it. */
    private static Method declaredIn(Class<?> type, Method method) {
        if (method.getDeclaringClass() == type) {
            return method;
        }
        try {
            Method declared = type.getDeclaredMethod(method.getName(), method.getParameterTypes());
            return declared.isBridge() ? null : declared;
        } catch (NoSuchMethodException e) {
            return null;
        }
    }

    /** Runtime subclasses (CDI proxies, bytecode-enhanced classes) stand for the class they extend. */
    private static Class<?> unproxied(Class<?> type) {
        Class<?> c = type;
        while (c.getSuperclass() != null && c.getSuperclass() != Object.class
                && (c.isSynthetic() || c.getName().contains("$Proxy$") || c.getName().contains("$$"))) {
            c = c.getSuperclass();
        }
        return c;
    }

    /** Of the inherited declarations: the nearest superclass one carrying the annotation, and every interface one. */
    private static <A extends Annotation> void collect(List<Method> inherited, Class<A> type, List<Found<A>> into) {
        boolean superclassFound = false;
        for (Method m : inherited) {
            A annotation = m.getAnnotation(type);
            if (annotation == null) {
                continue;
            }
            if (m.getDeclaringClass().isInterface()) {
                into.add(new Found<>(annotation, INHERITED, m));
            } else if (!superclassFound) {
                superclassFound = true; // a nearer superclass declaration replaced those above it
                into.add(new Found<>(annotation, INHERITED, m));
            }
        }
    }

    /** The inherited declarations that count for security annotations: nearest superclass one with any, every interface one. */
    private static List<Method> nearestAndInterfaces(List<Method> inherited, Class<?> type) {
        List<Method> result = new ArrayList<>();
        boolean superclassFound = false;
        for (Method m : inherited) {
            if (m.getDeclaringClass().isInterface()) {
                result.add(m);
            } else if (!superclassFound && hasSecurityAnnotation(m)) {
                superclassFound = true;
                result.add(m);
            }
        }
        return result;
    }

    private static Class<?> firstTypeWith(Class<?> type, Method method, Class<? extends Annotation> annotation) {
        for (Class<?> candidate : typeChain(type, method)) {
            if (candidate.getDeclaredAnnotation(annotation) != null) {
                return candidate;
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
     * Whether {@code method} overrides or implements {@code candidate}, as JAX-RS runtimes match them when they
     * inherit annotations: same name, same number of parameters, each of the candidate's parameter types
     * assignable from the method's (so generic interfaces, {@code Api<T>.put(T)} implemented as
     * {@code put(String)}, match). Erring towards a match only adds requirements. Bridge methods are skipped.
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
        for (int i = 0; i < own.length; i++) {
            if (!theirs[i].isAssignableFrom(own[i])) {
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
