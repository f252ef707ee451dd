package dev.apiauth.cdi;

import dev.apiauth.ApiAuthConfig;
import dev.apiauth.ApiAuthConfigurationException;
import dev.apiauth.ApiKey;
import dev.apiauth.ApiAuthMetrics;
import dev.apiauth.ApiKeyService;
import dev.apiauth.audit.KeyEvent;
import dev.apiauth.backend.Backend;
import dev.apiauth.backend.BackendProvider;
import dev.apiauth.internal.Secrets;
import dev.apiauth.jaxrs.RequestKeyBeans;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.context.RequestScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Default;
import jakarta.enterprise.inject.spi.AfterBeanDiscovery;
import jakarta.enterprise.inject.spi.BeforeBeanDiscovery;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.enterprise.inject.spi.Extension;
import jakarta.enterprise.inject.spi.InjectionPoint;
import jakarta.enterprise.inject.spi.ProcessBean;
import jakarta.enterprise.inject.spi.ProcessInjectionPoint;
import jakarta.enterprise.inject.spi.ProcessSyntheticBean;
import jakarta.inject.Singleton;
import java.lang.annotation.Annotation;
import java.lang.reflect.Member;
import java.lang.reflect.Type;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Reads the {@code apiauth.*} configuration at deployment and adds the library's beans:
 * {@link ApiAuthConfig}, the {@code @ApiAuth} {@link Backend}, {@link ApiKeyService} and the current
 * request's {@link ApiKey}. A wrong value fails the deployment with a message naming the key.
 */
public class ApiAuthExtension implements Extension {

    private static final Logger LOG = Logger.getLogger(ApiAuthExtension.class.getName());

    /** Backend providers on the classpath, by name. */
    private final Map<String, BackendProvider> providers = new TreeMap<>();
    /** Backend beans of the application by @Named name; held as beans because a library archive may not see them by lookup. */
    private final TreeMap<String, Bean<?>> namedBackends = new TreeMap<>();
    /** Application beans that providers asked for ({@link BackendProvider#applicationBeanTypes()}), by type name. */
    private final Map<String, Bean<?>> providerBeans = new HashMap<>();
    private final Set<String> providerBeanTypes = new HashSet<>();
    private Bean<?> applicationBackend;
    private ApiAuthConfig config;

    private static final String[] BUILT_IN_PROVIDERS = {
        "dev.apiauth.backend.memory.MemoryBackendProvider", "dev.apiauth.backend.jpa.JpaBackendProvider",
        "dev.apiauth.backend.redis.RedisBackendProvider", "dev.apiauth.backend.redis.RedisCacheBackendProvider"};

    void loadProviders(@Observes BeforeBeanDiscovery bbd) {
        if (present(METRICS_API)) {
            try {
                bbd.addAnnotatedType(dev.apiauth.metrics.RegistryHolder.class, "apiauth-metric-registry");
            } catch (RuntimeException | LinkageError e) {
                LOG.log(Level.INFO, "MP Metrics cannot be used from this library's class loader; no metrics", e);
            }
        }
        ServiceLoader<BackendProvider> loader = ServiceLoader.load(BackendProvider.class, classLoader());
        for (var it = loader.iterator(); it.hasNext(); ) {
            try {
                BackendProvider provider = it.next();
                providers.putIfAbsent(provider.name(), provider);
                providerBeanTypes.addAll(provider.applicationBeanTypes());
            } catch (ServiceConfigurationError | LinkageError e) {
                LOG.log(Level.FINE, "skipping a BackendProvider that cannot be loaded", e);
            }
        }
        // then the built-in backends by name, for those no service file named: a server may hide an application's
        // service files (Payara's whitelist-package does), and "memory" must work wherever the jar does. A provider of
        // the application's own with a built-in's name keeps precedence, as it had through the service files.
        for (String builtIn : BUILT_IN_PROVIDERS) {
            try {
                BackendProvider provider = (BackendProvider) Class.forName(builtIn, true, ApiAuthExtension.class.getClassLoader())
                        .getDeclaredConstructor().newInstance();
                if (providers.putIfAbsent(provider.name(), provider) == null) {
                    providerBeanTypes.addAll(provider.applicationBeanTypes());
                } else if (providers.get(provider.name()).getClass() != provider.getClass()) {
                    LOG.info("backend '" + provider.name() + "' is provided by " + providers.get(provider.name()).getClass().getName()
                            + ", which replaces the built-in one");
                }
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                LOG.log(Level.FINE, "built-in backend " + builtIn + " cannot be used here (an API it needs is absent)", e);
            }
        }
    }

    void findBeans(@Observes ProcessBean<?> event) {
        if (event instanceof ProcessSyntheticBean<?> synthetic && synthetic.getSource() == this) {
            return;
        }
        Bean<?> bean = event.getBean();
        if (bean.getTypes().contains(Backend.class)) {
            if (bean.getQualifiers().stream().anyMatch(q -> q.annotationType() == ApiAuth.class)) {
                applicationBackend = bean;
            }
            if (bean.getName() != null) {
                namedBackends.put(bean.getName(), bean);
            }
        }
        for (Type type : bean.getTypes()) {
            String name = type instanceof Class<?> c ? c.getName() : type.getTypeName();
            if (providerBeanTypes.contains(name)) {
                providerBeans.putIfAbsent(name, bean);
            }
        }
    }

    void addBeans(@Observes AfterBeanDiscovery abd, BeanManager bm) {
        Function<String, Optional<String>> lookup;
        Config mp;
        try {
            mp = ConfigProvider.getConfig();
            lookup = key -> mp.getOptionalValue(key, String.class);
            config = ApiAuthConfig.from(lookup);
        } catch (ApiAuthConfigurationException e) {
            abd.addDefinitionError(e);
            return;
        }
        ApiAuthConfig frozen = config;
        abd.addBean().beanClass(ApiAuthConfig.class).types(ApiAuthConfig.class, Object.class)
                .qualifiers(Default.Literal.INSTANCE, Any.Literal.INSTANCE)
                .scope(Singleton.class).createWith(c -> frozen);

        Function<BeanManager, Backend> backend;
        ProviderContext owned = null;
        if (applicationBackend != null) {
            Bean<?> chosen = applicationBackend;
            backend = m -> reference(m, chosen, Backend.class);
        } else if (providers.containsKey(config.backend()) || namedBackends.containsKey(config.backend())) {
            ProviderContext context = new ProviderContext(lookup, bm);
            owned = context;
            abd.<Backend>addBean().beanClass(Backend.class).types(Backend.class, Object.class)
                    .qualifiers(ApiAuth.Literal.INSTANCE, Any.Literal.INSTANCE)
                    .scope(Singleton.class)
                    .createWith(c -> context.backend(frozen.backend()))
                    .destroyWith((b, c) -> context.closeUnlessServiceOpen());
            backend = m -> m.createInstance().select(Backend.class, ApiAuth.Literal.INSTANCE).get();
        } else {
            abd.addDefinitionError(new ApiAuthConfigurationException(ApiAuthConfig.BACKEND + "=" + config.backend()
                    + " is not a backend; expected one of memory, jpa, redis, redis-cache, or the @Named name of a Backend bean"
                    + " (backends on this classpath: " + String.join(", ", providers.keySet())
                    + (namedBackends.isEmpty() ? "; no @Named Backend beans" : "; @Named Backend beans: " + String.join(", ", namedBackends.keySet()))
                    + ")"));
            return;
        }

        // Shutdown order, owned here: the service's last usage flush, then the stores it writes to (CDI destroys
        // beans in no defined order, and a store closed first would lose the usage recorded last).
        ProviderContext resources = owned;
        abd.<ApiKeyService>addBean().beanClass(ApiKeyService.class).types(ApiKeyService.class, Object.class)
                .qualifiers(Default.Literal.INSTANCE, Any.Literal.INSTANCE)
                .scope(Singleton.class)
                .createWith(c -> {
                    ApiAuthMetrics metrics = metrics(bm, frozen.backend());
                    ApiKeyService service = ApiKeyService.builder(backend.apply(bm)).config(frozen).audit(keyEvents(bm))
                            .metrics(metrics).build();
                    try {
                        metrics.watch(service);
                    } catch (RuntimeException | LinkageError e) {
                        LOG.log(Level.INFO, "the usage gauges could not be registered; the other metrics work", e);
                    }
                    if (resources != null) {
                        resources.serviceOpened();
                    }
                    return service;
                })
                .destroyWith((service, c) -> {
                    try {
                        service.metrics().close(); // the registry or meter provider may outlive us
                    } catch (RuntimeException | LinkageError e) {
                        LOG.log(Level.FINE, "could not remove the metrics", e);
                    }
                    try {
                        service.close();
                    } finally {
                        if (resources != null) {
                            resources.serviceClosed();
                        }
                    }
                });

        RequestKeyBeans.addTo(abd, bm);
        if (!config.metricsEnabled()) {
            metricsApi = null;
        } else if (present(METRICS_API)) {
            metricsApi = METRICS_API;
            integrations.add("metrics apiauth.* (MP Metrics)");
        } else if (present(OTEL_METRICS_API)) {
            metricsApi = OTEL_METRICS_API;
            integrations.add("metrics apiauth.* (OpenTelemetry, MP Metrics absent; exported when the application's telemetry is on)");
        } else {
            metricsApi = null;
            absent.add("MP Metrics and OpenTelemetry (no metrics)");
        }
        if (present("io.opentelemetry.api.trace.Span")) {
            integrations.add("span attributes apiauth.* (OpenTelemetry API; exported when the application's telemetry is on)");
        } else {
            absent.add("OpenTelemetry (no span attributes)");
        }
        try {
            openApi(config, mp);
        } catch (ApiAuthConfigurationException e) {
            abd.addDefinitionError(e);
        } catch (RuntimeException | LinkageError e) {
            LOG.log(Level.INFO, "MP OpenAPI cannot be used from this library's class loader; nothing added to /openapi", e);
            absent.add("MP OpenAPI (not usable from the library)");
        }
        if (!config.healthEnabled()) {
            LOG.fine(ApiAuthConfig.HEALTH_ENABLED + "=false: no readiness check");
        } else if (present(HEALTH_API) && present("org.eclipse.microprofile.health.Readiness")) {
            try {
                dev.apiauth.health.HealthIntegration.addTo(abd, bm, config.backend());
                integrations.add("readiness check 'apiauth' (MP Health)");
            } catch (RuntimeException | LinkageError e) {
                LOG.log(Level.INFO, "MP Health cannot be used from this library's class loader; no readiness check", e);
                absent.add("MP Health (not usable from the library)");
            }
        } else {
            absent.add("MP Health (no readiness check)");
        }
    }

    /**
     * MP OpenAPI: the library's filter is named by its own low-ordinal config source; here the routes are told the
     * configuration, an application filter in {@code apiauth.openapi.filter} is checked (a bad one fails the deployment),
     * and an application's own {@code mp.openapi.filter}, which replaces the library's, is reported.
     */
    private void openApi(ApiAuthConfig config, Config mp) {
        if (!config.openApiEnabled()) {
            LOG.fine(ApiAuthConfig.OPENAPI_ENABLED + "=false: nothing added to the OpenAPI document");
            return;
        }
        if (!present(OPENAPI_API)) {
            absent.add("MP OpenAPI (no OpenAPI contribution)");
            return;
        }
        dev.apiauth.jaxrs.OpenApiRoutes.configure(config);
        if (config.openApiFilter() != null) {
            try {
                dev.apiauth.openapi.ApiKeyOpenApiFilter.check(config.openApiFilter(), classLoader());
            } catch (IllegalArgumentException e) {
                throw new ApiAuthConfigurationException(ApiAuthConfig.OPENAPI_FILTER + "=" + config.openApiFilter()
                        + " cannot be used: " + e.getMessage() + "; expected the fully qualified name of a class of the application"
                        + " implementing org.eclipse.microprofile.openapi.OASFilter with a public no-argument constructor");
            }
        }
        String filter = mp.getOptionalValue("mp.openapi.filter", String.class).orElse(null);
        if (filter == null) {
            LOG.warning("MP OpenAPI is present but mp.openapi.filter is not set: the library's configuration source"
                    + " (META-INF/services/org.eclipse.microprofile.config.spi.ConfigSource) is not visible to this application;"
                    + " set mp.openapi.filter=" + dev.apiauth.openapi.ApiKeyOpenApiFilter.class.getName() + " to document the API keys in /openapi");
            return;
        }
        if (!filter.equals(dev.apiauth.openapi.ApiKeyOpenApiFilter.class.getName())) {
            LOG.warning("mp.openapi.filter=" + filter + " replaces jakarta-api-auth's OpenAPI filter: /openapi will not show the"
                    + " API-key security scheme, the protected operations' requirements or the management API. Set "
                    + ApiAuthConfig.OPENAPI_FILTER + "=" + filter + " instead of mp.openapi.filter (the library's filter runs it"
                    + " after its own), or " + ApiAuthConfig.OPENAPI_ENABLED + "=false to silence this");
            return;
        }
        integrations.add("OpenAPI security scheme and requirements (MP OpenAPI filter"
                + (config.openApiFilter() == null ? ")" : ", then " + config.openApiFilter() + ")"));
    }

    private static final String OPENAPI_API = "org.eclipse.microprofile.openapi.OASFilter";

    /** The metrics API in use ({@link #METRICS_API} or {@link #OTEL_METRICS_API}), or null for none. */
    private String metricsApi;
    private static final String METRICS_API = "org.eclipse.microprofile.metrics.MetricRegistry";
    private static final String OTEL_METRICS_API = "io.opentelemetry.api.metrics.Meter";
    private static final String HEALTH_API = "org.eclipse.microprofile.health.HealthCheck";

    /**
     * Whether an optional API is visible both to the application (its class loader) and to the library's classes
     * (which would link against it). Checked here, in a class that refers to no optional API. For the library's own
     * integrations; not an API of the library.
     */
    public static boolean present(String className) {
        for (ClassLoader loader : new ClassLoader[] {classLoader(), ApiAuthExtension.class.getClassLoader()}) {
            try {
                Class.forName(className, false, loader);
            } catch (ClassNotFoundException | LinkageError e) {
                return false;
            }
        }
        return true;
    }

    /**
     * MP Metrics in the application's registry where the server has them, else OpenTelemetry instruments where its API
     * is there; else nothing measured.
     */
    private ApiAuthMetrics metrics(BeanManager bm, String backendName) {
        if (metricsApi == null) {
            return ApiAuthMetrics.NONE;
        }
        if (metricsApi.equals(OTEL_METRICS_API)) {
            try {
                ApiAuthMetrics metrics = dev.apiauth.telemetry.OtelMetrics.of(bm, backendName);
                if (metrics != null) {
                    return metrics;
                }
                LOG.info("the OpenTelemetry API is present but the application has no OpenTelemetry bean (MP Telemetry): no metrics");
            } catch (RuntimeException | LinkageError e) {
                LOG.log(Level.INFO, "OpenTelemetry metrics could not be used; no metrics", e);
            }
            integrations.removeIf(name -> name.startsWith("metrics"));
            absent.add("OpenTelemetry metrics (no metrics)");
            return ApiAuthMetrics.NONE;
        }
        try {
            ApiAuthMetrics metrics = dev.apiauth.metrics.MpMetrics.of(bm, backendName);
            if (metrics != null) {
                return metrics;
            }
            LOG.info("the MP Metrics API is present but the server provides no MetricRegistry: no metrics");
        } catch (RuntimeException | LinkageError e) {
            LOG.log(Level.INFO, "MP Metrics could not be used; no metrics", e);
        }
        integrations.removeIf(name -> name.startsWith("metrics"));
        absent.add("MP Metrics registry (no metrics)");
        return ApiAuthMetrics.NONE;
    }

    /** Optional integrations switched on, and APIs not found, reported once at INFO when the application starts. */
    private final java.util.List<String> integrations = new java.util.ArrayList<>();
    private final java.util.List<String> absent = new java.util.ArrayList<>();

    /**
     * {@code @Inject ApiKey} is the key of the request being served: in a bean that outlives the request it
     * would be the first caller's key, served to everyone after. Such an injection fails the deployment.
     */
    void checkApiKeyInjection(@Observes ProcessInjectionPoint<?, ApiKey> event) {
        InjectionPoint ip = event.getInjectionPoint();
        Bean<?> bean = ip.getBean();
        if (bean == null) {
            return; // a non-contextual instance (e.g. a JAX-RS resource created per request by the runtime)
        }
        Class<? extends Annotation> scope = bean.getScope();
        String outlives = null;
        if (scope != RequestScoped.class && scope != Dependent.class) {
            outlives = "a @" + scope.getSimpleName() + " bean, which outlives a request,";
        } else if (scope == Dependent.class) {
            for (Annotation annotation : bean.getBeanClass().getAnnotations()) {
                String name = annotation.annotationType().getName();
                if (name.equals("jakarta.ejb.Stateless") || name.equals("jakarta.ejb.Singleton") || name.equals("jakarta.ejb.Stateful")) {
                    outlives = "an @" + annotation.annotationType().getSimpleName() + " bean, which is reused across requests,";
                }
            }
            if (outlives == null && !isResource(bean.getBeanClass())) {
                // a dependent bean lives as long as whatever it is injected into, often an application-scoped bean
                outlives = "a @Dependent bean, which lives as long as the bean it is injected into,";
            }
        }
        if (outlives != null) {
            event.addDefinitionError(new ApiAuthConfigurationException("@Inject ApiKey in " + describe(ip) + ", " + outlives
                    + " could hold the first caller's key for every later request. Inject Instance<ApiKey> and call get()"
                    + " per request, or read the ApiKeyPrincipal from the JAX-RS SecurityContext; @Inject ApiKey is for"
                    + " @RequestScoped beans and JAX-RS resources"));
        }
    }

    /** A JAX-RS resource class: the runtime creates a dependent one per request. */
    private static boolean isResource(Class<?> type) {
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            if (c.isAnnotationPresent(jakarta.ws.rs.Path.class)) {
                return true;
            }
        }
        return false;
    }

    private static String describe(InjectionPoint ip) {
        Member member = ip.getMember();
        return member == null ? String.valueOf(ip.getBean().getBeanClass().getName())
                : member.getDeclaringClass().getName() + "." + member.getName();
    }

    /**
     * Builds the service, and so the backend, as the application starts: a backend that cannot start fails the
     * deployment rather than the first request.
     */
    void startEagerly(@Observes @Initialized(ApplicationScoped.class) Object application, BeanManager bm) {
        if (config == null) {
            return;
        }
        try {
            bm.createInstance().select(ApiKeyService.class).get();
        } catch (ApiAuthConfigurationException e) {
            throw e;
        } catch (RuntimeException | LinkageError e) {
            StringBuilder causes = new StringBuilder();
            for (Throwable t = e; t != null && causes.length() < 2000; t = t.getCause()) {
                causes.append(causes.length() == 0 ? "" : "; caused by ").append(t);
            }
            String text = causes.toString();
            String redacted = Secrets.redact(text);
            String message = "the API key backend '" + config.backend() + "' could not start: " + redacted;
            // keep the cause for its stack trace, unless its messages carry credentials (a Redis URI's password)
            throw redacted.equals(text) ? new ApiAuthConfigurationException(message, e) : new ApiAuthConfigurationException(message);
        }
        LOG.info("jakarta-api-auth started: " + config + "; integrations: "
                + (integrations.isEmpty() ? "none" : String.join(", ", integrations))
                + (absent.isEmpty() ? "" : "; not on this server: " + String.join(", ", absent)));
    }

    /**
     * Every change of a key as a CDI event, to {@code @Observes} observers (on the caller's thread, after the change is
     * stored; a failing one is logged by the service) and to {@code @ObservesAsync} ones.
     */
    private static java.util.function.Consumer<KeyEvent> keyEvents(BeanManager bm) {
        jakarta.enterprise.event.Event<KeyEvent> events = bm.getEvent().select(KeyEvent.class);
        return event -> {
            events.fireAsync(event).exceptionally(e -> {
                LOG.log(Level.WARNING, "an @ObservesAsync observer of " + event.type() + " of API key " + event.keyId() + " failed", e);
                return null;
            });
            events.fire(event);
        };
    }

    private static <T> T reference(BeanManager bm, Bean<?> bean, Class<T> type) {
        return type.cast(bm.getReference(bean, type, bm.createCreationalContext(bean)));
    }

    private static ClassLoader classLoader() {
        ClassLoader tccl = Thread.currentThread().getContextClassLoader();
        return tccl != null ? tccl : ApiAuthExtension.class.getClassLoader();
    }

    /** What providers see while the application's backend is built; closes what they opened at shutdown. */
    private final class ProviderContext implements BackendProvider.Context {

        private final Function<String, Optional<String>> lookup;
        private final BeanManager bm;
        private final Deque<AutoCloseable> resources = new ArrayDeque<>();

        ProviderContext(Function<String, Optional<String>> lookup, BeanManager bm) {
            this.lookup = lookup;
            this.bm = bm;
        }

        @Override
        public Optional<String> config(String key) {
            return lookup.apply(key);
        }

        @Override
        public <T> Optional<T> bean(Class<T> type) {
            Bean<?> bean = providerBeans.get(type.getName());
            return bean == null ? Optional.empty() : Optional.of(reference(bm, bean, type));
        }

        @Override
        public Backend backend(String name) {
            BackendProvider provider = providers.get(name);
            if (provider != null) {
                return provider.create(this);
            }
            Bean<?> named = namedBackends.get(name);
            if (named != null) {
                return reference(bm, named, Backend.class);
            }
            throw new IllegalArgumentException("'" + name + "' is not a backend; expected one of "
                    + String.join(", ", providers.keySet()) + ", or the @Named name of a Backend bean");
        }

        @Override
        public synchronized void onClose(AutoCloseable resource) {
            resources.push(resource);
        }

        private boolean serviceOpen;
        private boolean backendDestroyed;

        synchronized void serviceOpened() {
            serviceOpen = true;
        }

        /** The service wrote its last usage: now the stores may close, if the backend bean is already gone. */
        synchronized void serviceClosed() {
            serviceOpen = false;
            if (backendDestroyed) {
                close();
            }
        }

        /** The backend bean is destroyed: close the stores now, or after the service's last flush if it still runs. */
        synchronized void closeUnlessServiceOpen() {
            backendDestroyed = true;
            if (!serviceOpen) {
                close();
            }
        }

        synchronized void close() {
            while (!resources.isEmpty()) {
                AutoCloseable resource = resources.pop();
                try {
                    resource.close();
                } catch (Exception e) {
                    LOG.log(Level.WARNING, "closing " + resource.getClass().getName() + " failed", e);
                }
            }
        }
    }
}
