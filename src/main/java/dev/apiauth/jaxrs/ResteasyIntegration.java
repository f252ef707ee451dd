package dev.apiauth.jaxrs;

import dev.apiauth.ApiAuthConfig;
import jakarta.enterprise.inject.spi.CDI;
import jakarta.ws.rs.ConstrainedTo;
import jakarta.ws.rs.RuntimeType;
import jakarta.ws.rs.core.Configuration;
import jakarta.ws.rs.core.Feature;
import jakarta.ws.rs.core.FeatureContext;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * RESTEasy (WildFly, Open Liberty): found through {@code META-INF/services/jakarta.ws.rs.core.Feature}, which Jakarta REST
 * 3.1 runtimes load for every application whatever it lists ({@code jakarta.ws.rs.loadServices}). It registers
 * {@link ApiKeyFeature} when the built-in providers file did not (an application that switched those off), and mounts
 * {@link ManagementResource} at {@code apiauth.management.path} when the management API is enabled, as
 * {@link JerseyIntegration} does on Jersey; there it does nothing.
 *
 * <p>The mount needs RESTEasy's registry and resource builder, which Open Liberty does not show to applications. The class
 * that uses them ({@code resteasy.ResteasyMount}) is therefore defined in a loader of its own that sees RESTEasy through
 * the loader of RESTEasy's own {@link FeatureContext} and everything else through this library's loader, so that it
 * mounts the very {@link ManagementResource} class the guard knows.
 */
@ConstrainedTo(RuntimeType.SERVER)
public final class ResteasyIntegration implements Feature {

    private static final Logger LOG = Logger.getLogger(ResteasyIntegration.class.getName());
    private static final String MOUNT = "dev.apiauth.jaxrs.resteasy.ResteasyMount";
    private static final String RESOURCES = "dev.apiauth.jaxrs.resteasy.ResteasyResources";

    @Override
    public boolean configure(FeatureContext context) {
        if (!isResteasy(context)) {
            return false; // Jersey: JerseyIntegration; other runtimes: provider scanning
        }
        Configuration configuration = context.getConfiguration();
        if (!configuration.isRegistered(ApiKeyFeature.class)) {
            context.register(ApiKeyFeature.class); // which checks the application's protected locators
        }
        ApiAuthConfig config = CDI.current().select(ApiAuthConfig.class).get();
        if (!config.managementEnabled() && !config.githubAlertsEnabled()) {
            return true;
        }
        String mounted;
        try {
            @SuppressWarnings("unchecked")
            Function<ApiAuthConfig, String> mount = (Function<ApiAuthConfig, String>) new BridgeLoader(
                    ResteasyIntegration.class.getClassLoader(), context.getClass().getClassLoader())
                    .loadClass(MOUNT).getConstructor().newInstance();
            mounted = mount.apply(config);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            throw new IllegalStateException("jakarta-api-auth cannot mount its endpoints (" + ApiAuthConfig.MANAGEMENT_ENABLED + "="
                    + config.managementEnabled() + ", " + ApiAuthConfig.GITHUB_ALERTS_ENABLED + "=" + config.githubAlertsEnabled()
                    + ") on this RESTEasy: " + e + ". Mount the management API yourself with a subclass: @Path(\"" + config.managementPath()
                    + "\") public class Keys extends dev.apiauth.jaxrs.ManagementResource {}", e);
        }
        if (mounted != null) {
            LOG.info(mounted);
        }
        return true;
    }

    /**
     * Fails the application when one of its resource classes has a protected sub-resource locator RESTEasy cannot guard
     * ({@link ApiKeyFeature#requireGuardableLocators}); run by {@link ApiKeyFeature} when RESTEasy registers it.
     * {@link ResteasyProvidersInitializer} checks the same at startup, but a servlet container runs no initializer of a
     * jar that the application's {@code web.xml} leaves out of its ordering (an empty {@code <absolute-ordering/>}, a
     * common way to skip scanning fragments).
     */
    static void requireGuardableLocators(FeatureContext context) {
        List<Class<?>> resources;
        try {
            @SuppressWarnings("unchecked")
            Supplier<List<Class<?>>> supplier = (Supplier<List<Class<?>>>) new BridgeLoader(
                    ResteasyIntegration.class.getClassLoader(), context.getClass().getClassLoader())
                    .loadClass(RESOURCES).getConstructor().newInstance();
            resources = supplier.get();
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            throw new IllegalStateException("jakarta-api-auth cannot read the resource classes of this RESTEasy application to"
                    + " check its protected sub-resource locators: " + e, e);
        }
        List<String> problems = ApiKeyFeature.unguardableLocators(resources);
        if (!problems.isEmpty()) {
            throw new IllegalStateException(String.join("; ", problems));
        }
    }

    /** RESTEasy's configuration classes; Jersey's are {@code org.glassfish.jersey.*}. */
    static boolean isResteasy(FeatureContext context) {
        return context.getClass().getName().startsWith("org.jboss.resteasy.")
                || context.getConfiguration().getClass().getName().startsWith("org.jboss.resteasy.");
    }

    /**
     * Defines the classes of {@code dev.apiauth.jaxrs.resteasy} itself, from this library's jar; finds RESTEasy's classes
     * through RESTEasy's loader and every other class (this library's, Jakarta's, the JDK's) through this library's.
     */
    static final class BridgeLoader extends ClassLoader {

        private static final String OWN = "dev.apiauth.jaxrs.resteasy.";
        private final ClassLoader library;
        private final ClassLoader resteasy;

        BridgeLoader(ClassLoader library, ClassLoader resteasy) {
            super(null);
            this.library = library;
            this.resteasy = resteasy;
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            synchronized (getClassLoadingLock(name)) {
                Class<?> loaded = findLoadedClass(name);
                if (loaded == null) {
                    if (name.startsWith(OWN)) {
                        loaded = define(name);
                    } else if (name.startsWith("org.jboss.resteasy.")) {
                        loaded = resteasy.loadClass(name);
                    } else {
                        loaded = library.loadClass(name);
                    }
                }
                if (resolve) {
                    resolveClass(loaded);
                }
                return loaded;
            }
        }

        private Class<?> define(String name) throws ClassNotFoundException {
            try (InputStream in = library.getResourceAsStream(name.replace('.', '/') + ".class")) {
                if (in == null) {
                    throw new ClassNotFoundException(name);
                }
                byte[] bytes = in.readAllBytes();
                return defineClass(name, bytes, 0, bytes.length, ResteasyIntegration.class.getProtectionDomain());
            } catch (IOException e) {
                throw new ClassNotFoundException(name, e);
            }
        }
    }
}
