package dev.apiauth.jaxrs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletRegistration;
import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Every way an application can switch RESTEasy's built-in providers off, and what the initializer then does: names the
 * guard where nothing is listed, and reports (so fails the deployment) where a list RESTEasy may use lacks it.
 */
class ResteasyProvidersInitializerTest {

    static final String GUARD = ApiKeyFeature.class.getName();

    /** A servlet context with init parameters and RESTEasy servlets, each with parameters of its own. */
    static final class App {
        final Map<String, String> params = new HashMap<>();
        final Map<String, Map<String, String>> servlets = new LinkedHashMap<>();
        final Map<String, String> config = new HashMap<>();

        App servlet(String name, String... keyValues) {
            Map<String, String> own = new HashMap<>();
            for (int i = 0; i < keyValues.length; i += 2) {
                own.put(keyValues[i], keyValues[i + 1]);
            }
            servlets.put(name, own);
            return this;
        }

        List<String> check() {
            return ResteasyProvidersInitializer.check(context(), key -> Optional.ofNullable(config.get(key)));
        }

        private ServletContext context() {
            Map<String, ServletRegistration> registrations = new LinkedHashMap<>();
            servlets.forEach((name, own) -> registrations.put(name, registration(name, own)));
            return (ServletContext) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {ServletContext.class},
                    (proxy, method, args) -> switch (method.getName()) {
                        case "getInitParameter" -> params.get((String) args[0]);
                        case "setInitParameter" -> params.putIfAbsent((String) args[0], (String) args[1]) == null;
                        case "getServletRegistrations" -> registrations;
                        case "getFilterRegistrations" -> Map.<String, FilterRegistration>of();
                        default -> throw new UnsupportedOperationException(method.getName());
                    });
        }

        private static ServletRegistration registration(String name, Map<String, String> own) {
            return (ServletRegistration) Proxy.newProxyInstance(App.class.getClassLoader(), new Class<?>[] {ServletRegistration.class},
                    (proxy, method, args) -> switch (method.getName()) {
                        case "getName" -> name;
                        case "getInitParameter" -> own.get((String) args[0]);
                        case "setInitParameter" -> own.putIfAbsent((String) args[0], (String) args[1]) == null;
                        default -> throw new UnsupportedOperationException(method.getName());
                    });
        }
    }

    @Test
    void builtInProvidersOnChangeNothing() {
        App app = new App().servlet("rest");
        assertEquals(List.of(), app.check());
        assertNull(app.params.get("resteasy.providers"));
        assertNull(app.servlets.get("rest").get("resteasy.providers"));
    }

    @Test
    void offInTheContextWithNothingListedNamesTheGuardThere() {
        App app = new App().servlet("rest");
        app.params.put("resteasy.use.builtin.providers", " FALSE ");
        assertEquals(List.of(), app.check());
        assertEquals(GUARD, app.params.get("resteasy.providers"));
    }

    @Test
    void offOnOneServletWithNothingListedNamesTheGuardOnThatServlet() {
        App app = new App().servlet("rest", "resteasy.use.builtin.providers", "0").servlet("other");
        assertEquals(List.of(), app.check());
        assertEquals(GUARD, app.servlets.get("rest").get("resteasy.providers"));
        assertNull(app.servlets.get("other").get("resteasy.providers"));
    }

    @Test
    void aListWithTheGuardAmongOthersIsAccepted() {
        App app = new App().servlet("rest");
        app.params.put("resteasy.use.builtin.providers", "false");
        app.params.put("resteasy.providers", "com.example.Writer,\n  " + GUARD + " ");
        assertEquals(List.of(), app.check());
    }

    @Test
    void aContextListWithoutTheGuardIsReported() {
        App app = new App().servlet("rest");
        app.params.put("resteasy.use.builtin.providers", "false");
        app.params.put("resteasy.providers", "com.example.Writer");
        assertTrue(app.check().get(0).contains("com.example.Writer"), app.check().toString());
    }

    @Test
    void aServletSwitchingOffOverAContextListWithoutTheGuardIsReported() {
        App app = new App().servlet("rest", "resteasy.use.builtin.providers", "false");
        app.params.put("resteasy.providers", "com.example.Writer"); // the servlet falls back to it
        assertEquals(1, app.check().size(), app.check().toString());
    }

    @Test
    void aServletsOwnListWithoutTheGuardIsReported() {
        App app = new App().servlet("rest", "resteasy.use.builtin.providers", "false", "resteasy.providers", "com.example.Writer");
        assertTrue(app.check().get(0).contains("rest"), app.check().toString());
    }

    @Test
    void offInMicroProfileConfigWinsOverAServletsTrue() {
        App app = new App().servlet("rest", "resteasy.use.builtin.providers", "true", "resteasy.providers", "com.example.Writer");
        app.config.put("resteasy.use.builtin.providers", "false");
        assertEquals(1, app.check().size(), "the servlet's own list is used without built-ins: " + app.check());
    }

    @Test
    void aConfiguredListWithoutTheGuardIsReportedEvenWhenTheContextListHasIt() {
        App app = new App().servlet("rest");
        app.config.put("resteasy.use.builtin.providers", "false");
        app.config.put("resteasy.providers", "com.example.Writer");
        app.params.put("resteasy.providers", GUARD);
        assertEquals(1, app.check().size(), app.check().toString());
    }

    @Test
    void disablingTheGuardAnywhereIsReported() {
        App context = new App().servlet("rest");
        context.params.put("resteasy.disable.providers", "com.example.X, " + GUARD);
        assertEquals(1, context.check().size());
        App servlet = new App().servlet("rest", "resteasy.disable.providers", GUARD);
        assertEquals(1, servlet.check().size());
        App config = new App().servlet("rest");
        config.config.put("resteasy.disable.providers", GUARD);
        assertEquals(1, config.check().size());
    }

    @Test
    void onlyFalseAndZeroSwitchOff() {
        assertTrue(ResteasyProvidersInitializer.isOff("false"));
        assertTrue(ResteasyProvidersInitializer.isOff(" 0 "));
        assertTrue(!ResteasyProvidersInitializer.isOff("true") && !ResteasyProvidersInitializer.isOff(null)
                && !ResteasyProvidersInitializer.isOff("1"));
    }
}
