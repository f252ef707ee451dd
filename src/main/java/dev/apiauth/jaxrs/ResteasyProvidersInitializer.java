package dev.apiauth.jaxrs;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.Registration;
import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.annotation.HandlesTypes;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.ws.rs.Path;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * RESTEasy registers the guard from this library's built-in providers file and from the Jakarta REST feature services.
 * An application can switch both off ({@code resteasy.use.builtin.providers=false}, {@code jakarta.ws.rs.loadServices=false}),
 * and then its protected resources would be served without a key. Where the built-in providers are off (a servlet's or
 * RESTEasy filter's init parameter, a context parameter, or MicroProfile Config, which also holds system properties and
 * the environment), this names the guard in {@code resteasy.providers}, which RESTEasy reads in any case. Where a list of
 * providers RESTEasy may use lacks the guard, or {@code resteasy.disable.providers} names it, the deployment fails (the
 * guard must then be listed explicitly, even where the feature services would still register it).
 *
 * <p>It also checks every resource class of the application ({@code @Path}) for protected sub-resource locators RESTEasy
 * cannot guard: RESTEasy calls a locator before any filter and never shows it to a {@code DynamicFeature}, so a protected
 * class with locators only would otherwise never be checked, and its unannotated sub-resources would be served without a
 * key. Jersey ignores these parameters and guards locators itself ({@link JerseyIntegration.LocatorGuard}): this does
 * nothing there.
 */
@HandlesTypes(Path.class)
public final class ResteasyProvidersInitializer implements ServletContainerInitializer {

    private static final Logger LOG = Logger.getLogger(ResteasyProvidersInitializer.class.getName());
    static final String BUILTIN = "resteasy.use.builtin.providers";
    static final String PROVIDERS = "resteasy.providers";
    static final String DISABLED = "resteasy.disable.providers";
    static final String GUARD = ApiKeyFeature.class.getName();

    @Override
    public void onStartup(Set<Class<?>> classes, ServletContext context) throws ServletException {
        if (visible(context, "org.glassfish.jersey.server.ResourceConfig") && !visible(context, "org.jboss.resteasy.spi.Registry")) {
            return; // Jersey
        }
        List<String> problems = new ArrayList<>(check(context, key -> configValue(context, key)));
        if (classes != null) {
            problems.addAll(ApiKeyFeature.unguardableLocators(classes));
        }
        if (!problems.isEmpty()) {
            fail(context, String.join("; ", problems));
        }
    }

    /**
     * Adds the guard where RESTEasy would otherwise not register it, and returns what cannot be fixed. {@code config}: the
     * application's MicroProfile Config (system properties, environment), which RESTEasy may consult before servlet and
     * context parameters.
     */
    static List<String> check(ServletContext context, Function<String, Optional<String>> config) {
        List<String> problems = new ArrayList<>();
        String configuredList = config.apply(PROVIDERS).orElse(null);
        String contextList = context.getInitParameter(PROVIDERS);
        for (String disabled : new String[] {config.apply(DISABLED).orElse(null), context.getInitParameter(DISABLED)}) {
            if (names(disabled).contains(GUARD)) {
                problems.add(DISABLED + " (" + disabled + ") names the API-key guard");
            }
        }
        boolean configuredOff = config.apply(BUILTIN).map(ResteasyProvidersInitializer::isOff).orElse(false); // wins over parameters
        boolean contextOff = configuredOff || isOff(context.getInitParameter(BUILTIN));
        if (contextOff) {
            requireListed(configuredList, "MicroProfile Config or a system property", problems);
            if (contextList == null && configuredList == null) {
                context.setInitParameter(PROVIDERS, GUARD);
                contextList = GUARD;
                LOG.info(BUILTIN + "=false: the API-key guard is registered through " + PROVIDERS);
            } else {
                requireListed(contextList, "the context parameter", problems);
            }
        }
        List<Registration> dispatchers = new ArrayList<>(context.getServletRegistrations().values());
        dispatchers.addAll(context.getFilterRegistrations().values()); // RESTEasy as a filter (FilterDispatcher)
        for (Registration dispatcher : dispatchers) {
            String own = dispatcher.getInitParameter(BUILTIN);
            String disabled = dispatcher.getInitParameter(DISABLED);
            if (names(disabled).contains(GUARD)) {
                problems.add(DISABLED + " of " + dispatcher.getName() + " (" + disabled + ") names the API-key guard");
            }
            if (!(configuredOff || isOff(own) || own == null && contextOff)) {
                continue;
            }
            String listed = dispatcher.getInitParameter(PROVIDERS);
            if (listed == null && contextList == null && configuredList == null) {
                dispatcher.setInitParameter(PROVIDERS, GUARD);
                LOG.info(BUILTIN + "=false on " + dispatcher.getName() + ": the API-key guard is registered through " + PROVIDERS);
            } else {
                requireListed(listed, "the parameter of " + dispatcher.getName(), problems);
                requireListed(contextList, "the context parameter", problems);
                requireListed(configuredList, "MicroProfile Config or a system property", problems);
            }
        }
        return problems.stream().distinct().toList();
    }

    /** A list RESTEasy may use (not null) must name the guard. */
    private static void requireListed(String list, String where, List<String> problems) {
        if (list != null && !names(list).contains(GUARD)) {
            problems.add(PROVIDERS + " in " + where + " (" + list + ") lacks it");
        }
    }

    /**
     * Fails the deployment. Open Liberty only logs an initializer's exception and starts the application anyway, so a filter
     * that refuses every request of the application is added first: fail closed.
     */
    private static void fail(ServletContext context, String why) throws ServletException {
        String message = "jakarta-api-auth cannot guard this application, and protected resources would be served without a key: "
                + why + ". Where RESTEasy's built-in providers are off, add " + GUARD + " to " + PROVIDERS + " (and keep it out of "
                + DISABLED + ")";
        LOG.severe(message);
        context.addFilter("apiauth-unguardable", new RefuseAll())
                .addMappingForUrlPatterns(EnumSet.allOf(DispatcherType.class), false, "/*");
        throw new ServletException(message);
    }

    /** RESTEasy's boolean parameters: {@code false} or {@code 0} switch off. */
    static boolean isOff(String value) {
        return value != null && (value.trim().equalsIgnoreCase("false") || value.trim().equals("0"));
    }

    /** The class names of a RESTEasy list parameter (commas, any whitespace). */
    static List<String> names(String list) {
        return list == null ? List.of() : Arrays.stream(list.split(",")).map(String::trim).filter(n -> !n.isEmpty()).toList();
    }

    /** A value from the application's MicroProfile Config (system properties, environment, its properties files). */
    private static Optional<String> configValue(ServletContext context, String key) {
        try {
            return org.eclipse.microprofile.config.ConfigProvider.getConfig(context.getClassLoader()).getOptionalValue(key, String.class);
        } catch (RuntimeException | LinkageError e) {
            return Optional.ofNullable(System.getProperty(key));
        }
    }

    private static boolean visible(ServletContext context, String type) {
        try {
            Class.forName(type, false, context.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** Answers every request with 500 {@code guard-misconfigured}: the application could not be guarded. */
    static final class RefuseAll implements Filter {

        @Override
        public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain) throws IOException {
            HttpServletResponse http = (HttpServletResponse) response;
            http.setStatus(500);
            http.setContentType("application/problem+json");
            http.getWriter().write(Problems.body(500, "guard-misconfigured", "Server misconfiguration",
                    "This application cannot be guarded; the server log says why.", null));
        }
    }
}
