package dev.apiauth.cdi;

import dev.apiauth.ApiAuthConfig;
import dev.apiauth.ApiAuthConfigurationException;
import dev.apiauth.ApiKey;
import dev.apiauth.ApiKeyService;
import dev.apiauth.backend.Backend;
import dev.apiauth.backend.BackendProvider;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.context.RequestScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Default;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.spi.AfterBeanDiscovery;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.enterprise.inject.spi.Extension;
import jakarta.enterprise.inject.spi.ProcessBean;
import jakarta.enterprise.inject.spi.ProcessSyntheticBean;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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

    /** Backend beans of the application by @Named name; held as beans because a library archive may not see them by lookup. */
    private final TreeMap<String, Bean<?>> namedBackends = new TreeMap<>();
    private Bean<?> applicationBackend;
    private ApiAuthConfig config;

    void findBackends(@Observes ProcessBean<?> event) {
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
    }

    void addBeans(@Observes AfterBeanDiscovery abd, BeanManager bm) {
        Function<String, Optional<String>> lookup;
        try {
            Config mp = ConfigProvider.getConfig();
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
        if (applicationBackend != null) {
            Bean<?> chosen = applicationBackend;
            backend = m -> reference(m, chosen);
        } else {
            backend = addBackend(abd, lookup);
            if (backend == null) {
                return;
            }
        }

        abd.<ApiKeyService>addBean().beanClass(ApiKeyService.class).types(ApiKeyService.class, Object.class)
                .qualifiers(Default.Literal.INSTANCE, Any.Literal.INSTANCE)
                .scope(Singleton.class)
                .createWith(c -> ApiKeyService.builder(backend.apply(bm)).config(frozen).build())
                .destroyWith((service, c) -> service.close());

        abd.addBean().beanClass(CurrentApiKey.class).types(CurrentApiKey.class, Object.class)
                .qualifiers(Default.Literal.INSTANCE, Any.Literal.INSTANCE)
                .scope(RequestScoped.class).createWith(c -> new CurrentApiKey());

        abd.addBean().beanClass(ApiKey.class).types(ApiKey.class, Object.class)
                .qualifiers(Default.Literal.INSTANCE, Any.Literal.INSTANCE)
                .scope(Dependent.class)
                .createWith(c -> bm.createInstance().select(CurrentApiKey.class).get().get());
    }

    /** Adds the {@code @ApiAuth Backend} bean for {@code apiauth.backend}; returns how to obtain it, or null after a definition error. */
    private Function<BeanManager, Backend> addBackend(AfterBeanDiscovery abd, Function<String, Optional<String>> lookup) {
        String name = config.backend();
        List<String> available = new ArrayList<>();
        BackendProvider provider = null;
        ServiceLoader<BackendProvider> loader = ServiceLoader.load(BackendProvider.class, classLoader());
        for (var it = loader.iterator(); it.hasNext(); ) {
            try {
                BackendProvider candidate = it.next();
                available.add(candidate.name());
                if (candidate.name().equals(name)) {
                    provider = candidate;
                }
            } catch (ServiceConfigurationError | LinkageError e) {
                LOG.log(Level.FINE, "skipping a BackendProvider that cannot be loaded", e);
            }
        }
        if (provider != null) {
            BackendProvider chosen = provider;
            abd.<Backend>addBean().beanClass(Backend.class).types(Backend.class, Object.class)
                    .qualifiers(ApiAuth.Literal.INSTANCE, Any.Literal.INSTANCE)
                    .scope(Singleton.class)
                    .createWith(c -> chosen.create(lookup))
                    .destroyWith((backend, c) -> closeQuietly(backend));
            return m -> m.createInstance().select(Backend.class, ApiAuth.Literal.INSTANCE).get();
        }
        Bean<?> named = namedBackends.get(name);
        if (named != null) {
            abd.addBean().beanClass(Backend.class).types(Backend.class, Object.class)
                    .qualifiers(ApiAuth.Literal.INSTANCE, Any.Literal.INSTANCE)
                    .scope(Dependent.class)
                    .produceWith(i -> reference(beanManager(i), named));
            return m -> reference(m, named);
        }
        abd.addDefinitionError(new ApiAuthConfigurationException(ApiAuthConfig.BACKEND + "=" + name
                + " is not a backend; expected one of memory, jpa, redis, redis-cache, or the @Named name of a Backend bean"
                + " (backends on this classpath: " + String.join(", ", available)
                + (namedBackends.isEmpty() ? "; no @Named Backend beans" : "; @Named Backend beans: " + String.join(", ", namedBackends.keySet()))
                + ")"));
        return null;
    }

    private static Backend reference(BeanManager bm, Bean<?> bean) {
        return (Backend) bm.getReference(bean, Backend.class, bm.createCreationalContext(bean));
    }

    private static BeanManager beanManager(Instance<Object> instance) {
        return instance.select(BeanManager.class).get();
    }

    /**
     * Builds the service, and so the backend, as the application starts: a backend that cannot start fails the
     * deployment rather than the first request. Done here rather than in {@code AfterDeploymentValidation}
     * because application-scoped JNDI names ({@code java:app/jdbc/...}) are bound only by now.
     */
    void startEagerly(@Observes @Initialized(ApplicationScoped.class) Object application, BeanManager bm) {
        if (config == null) {
            return;
        }
        try {
            bm.createInstance().select(ApiKeyService.class).get();
        } catch (ApiAuthConfigurationException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ApiAuthConfigurationException("the API key backend '" + config.backend() + "' could not start: " + e);
        }
        LOG.info("jakarta-api-auth started: " + config);
    }

    private static void closeQuietly(Backend backend) {
        if (backend instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                LOG.log(Level.WARNING, "closing API key backend " + backend.getClass().getName() + " failed", e);
            }
        }
    }

    private static ClassLoader classLoader() {
        ClassLoader tccl = Thread.currentThread().getContextClassLoader();
        return tccl != null ? tccl : ApiAuthExtension.class.getClassLoader();
    }
}
