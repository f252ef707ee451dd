package dev.apiauth.jaxrs;

import dev.apiauth.ApiAuthConfig;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Path;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * What the guard knows about the application's resource methods, for the OpenAPI document: each root resource method
 * the JAX-RS runtime reported ({@link ApiKeyFeature} sees every one, on every runtime and registration style) with its
 * path template and, when protected, its requirement as alternatives of scope sets. Filled while the application
 * starts; read when MicroProfile OpenAPI builds its document (on the first {@code GET /openapi}, after start).
 *
 * <p>Per application: the library's classes are loaded per WAR, so these statics are the application's own (the jar
 * belongs in WEB-INF/lib: in a library directory shared by several applications they would share this state, and the
 * README says so). Refers to no OpenAPI type (the JAX-RS side records without linking the optional API).
 */
public final class OpenApiRoutes {

    /** Beyond this many alternatives a requirement is described without its scopes. */
    static final int MAX_ALTERNATIVES = 16;
    private static final Pattern TEMPLATE_REGEX = Pattern.compile("\\{\\s*([^}:\\s]+)\\s*:[^}]*}");
    private static final Map<List<Object>, Route> ROUTES = new ConcurrentHashMap<>();
    private static volatile ApiAuthConfig config;

    /**
     * One resource method.
     *
     * @param httpMethod   GET, POST, ...
     * @param template     the path below the application's root, normalised: {@code /hello/{id}} (no regular expressions)
     * @param javaMethod   the Java method's name (MicroProfile OpenAPI implementations use it as the default operationId)
     * @param protectedBy  null when the guard does not protect it; else the alternatives (any one suffices) of scope
     *                     sets a key must hold: {@code [[]]} for any valid key, {@code []} for no key at all (@DenyAll)
     * @param scopesListed false when the requirement has too many alternatives to list
     */
    public record Route(String httpMethod, String template, String javaMethod, List<Set<String>> protectedBy, boolean scopesListed) {
    }

    private OpenApiRoutes() {
    }

    /**
     * Records a root resource's method. Sub-resources (reached through locators, reported by Jersey at their first
     * request) and locators are not: MicroProfile OpenAPI documents neither. Never fails the deployment: this is only
     * documentation.
     */
    static void record(Class<?> resourceClass, Method method, GuardRule rule) {
        try {
            String httpMethod = httpMethod(resourceClass, method);
            if (httpMethod == null || findClassPath(resourceClass) == null) {
                return;
            }
            List<Set<String>> alternatives = rule == null ? null : rule.alternatives(MAX_ALTERNATIVES);
            ROUTES.put(List.of(resourceClass, method), new Route(httpMethod, template(resourceClass, method), method.getName(),
                    rule == null ? null : alternatives == null ? List.of(Set.of()) : alternatives, rule == null || alternatives != null));
        } catch (RuntimeException e) {
            java.util.logging.Logger.getLogger(OpenApiRoutes.class.getName()).log(java.util.logging.Level.FINE,
                    "not documented in /openapi: " + method, e);
        }
    }

    /**
     * Records a method of the management API where the application mounted it itself (a subclass with its own
     * {@code @Path}, which MicroProfile OpenAPI scans like any resource): the document then shows that mount, and the
     * library adds no second one.
     */
    static void recordManagement(Class<?> resourceClass, Method method, GuardRule rule) {
        if (findClassPath(resourceClass) != null) {
            managementMountedByApplication = true;
            record(resourceClass, method, rule);
        }
    }

    /** Whether the application mounted the management API itself (see {@link #recordManagement}). */
    public static boolean managementMountedByApplication() {
        return managementMountedByApplication;
    }

    private static volatile boolean managementMountedByApplication;

    /** The configuration the document describes (header or scheme, management API), set when the library starts. */
    public static void configure(ApiAuthConfig started) {
        config = started;
    }

    public static ApiAuthConfig config() {
        return config;
    }

    public static Collection<Route> routes() {
        return List.copyOf(ROUTES.values());
    }

    /** The application-relative template of a resource method: the class's {@code @Path}, then the method's. */
    static String template(Class<?> resourceClass, Method method) {
        StringBuilder path = new StringBuilder();
        Path classPath = findClassPath(resourceClass);
        if (classPath != null) {
            path.append('/').append(classPath.value());
        }
        for (Method m : GuardRule.methodChain(resourceClass, method)) {
            Path own = m.getAnnotation(Path.class);
            if (own != null) {
                path.append('/').append(own.value());
                break;
            }
        }
        return normalise(path.toString());
    }

    /** {@code //a/{id: [0-9]+}/} becomes {@code /a/{id}}; the root is {@code ""}. */
    public static String normalise(String path) {
        String p = TEMPLATE_REGEX.matcher(path).replaceAll("{$1}").replaceAll("/{2,}", "/");
        if (!p.startsWith("/")) {
            p = "/" + p;
        }
        return p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    }

    private static Path findClassPath(Class<?> type) {
        List<Class<?>> chain = new ArrayList<>();
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            chain.add(c);
        }
        for (Class<?> c : chain) {
            if (c.isAnnotationPresent(Path.class)) {
                return c.getAnnotation(Path.class);
            }
        }
        for (Class<?> c : chain) {
            for (Class<?> i : c.getInterfaces()) {
                if (i.isAnnotationPresent(Path.class)) {
                    return i.getAnnotation(Path.class);
                }
            }
        }
        return null;
    }

    private static String httpMethod(Class<?> resourceClass, Method method) {
        for (Method m : GuardRule.methodChain(resourceClass, method)) {
            for (Annotation annotation : m.getAnnotations()) {
                HttpMethod http = annotation.annotationType().getAnnotation(HttpMethod.class);
                if (http != null) {
                    return http.value();
                }
            }
        }
        return null;
    }
}
