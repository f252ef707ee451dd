package dev.apiauth.cdi;

import dev.apiauth.ApiAuthConfig;
import dev.apiauth.ApiAuthConfigurationException;
import dev.apiauth.ApiKey;
import dev.apiauth.ApiKeyService;
import dev.apiauth.backend.Backend;
import dev.apiauth.backend.BackendProvider;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.context.RequestScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Default;
import jakarta.enterprise.inject.literal.NamedLiteral;
import jakarta.enterprise.inject.spi.AfterBeanDiscovery;
import jakarta.enterprise.inject.spi.AfterDeploymentValidation;
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
import java.util.TreeSet;
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

    private final TreeSet<String> namedBackends = new TreeSet<>();
    private boolean applicationBackend;
    private ApiAuthConfig config;

    void findBackends(@Observes ProcessBean<?> event) {
        if (event instanceof ProcessSyntheticBean<?> synthetic && synthetic.getSource() == this) {
            return;
        }
        Bean<?> bean = event.getBean();
        if (bean.getTypes().contains(Backend.class)) {
            if (bean.getQualifiers().stream().anyMatch(q -> q.annotationType() == ApiAuth.class)) {
                applicationBackend = true;
            }
            if (bean.getName() != null) {
                namedBackends.add(bean.getName());
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

        if (!applicationBackend && !addBackend(abd, bm, lookup)) {
            return;
        }

        abd.<ApiKeyService>addBean().beanClass(ApiKeyService.class).types(ApiKeyService.class, Object.class)
                .qualifiers(Default.Literal.INSTANCE, Any.Literal.INSTANCE)
                .scope(Singleton.class)
                .createWith(c -> ApiKeyService.builder(bm.createInstance().select(Backend.class, ApiAuth.Literal.INSTANCE).get())
                        .config(frozen).build())
                .destroyWith((service, c) -> service.close());

        abd.addBean().beanClass(CurrentApiKey.class).types(CurrentApiKey.class, Object.class)
                .qualifiers(Default.Literal.INSTANCE, Any.Literal.INSTANCE)
                .scope(RequestScoped.class).createWith(c -> new CurrentApiKey());

        abd.addBean().beanClass(ApiKey.class).types(ApiKey.class, Object.class)
                .qualifiers(Default.Literal.INSTANCE, Any.Literal.INSTANCE)
                .scope(Dependent.class)
                .createWith(c -> bm.createInstance().select(CurrentApiKey.class).get().get());
    }

    private boolean addBackend(AfterBeanDiscovery abd, BeanManager bm, Function<String, Optional<String>> lookup) {
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
            return true;
        }
        if (namedBackends.contains(name)) {
            abd.addBean().beanClass(Backend.class).types(Backend.class, Object.class)
                    .qualifiers(ApiAuth.Literal.INSTANCE, Any.Literal.INSTANCE)
                    .scope(Dependent.class)
                    .createWith(c -> bm.createInstance().select(Backend.class, NamedLiteral.of(name)).get());
            return true;
        }
        abd.addDefinitionError(new ApiAuthConfigurationException(ApiAuthConfig.BACKEND + "=" + name
                + " is not a backend; expected one of memory, jpa, redis, redis-cache, or the @Named name of a Backend bean"
                + " (backends on this classpath: " + String.join(", ", available)
                + (namedBackends.isEmpty() ? "; no @Named Backend beans" : "; @Named Backend beans: " + String.join(", ", namedBackends))
                + ")"));
        return false;
    }

    /** Builds the service, and so the backend, now: a backend that cannot start fails the deployment. */
    void startEagerly(@Observes AfterDeploymentValidation adv, BeanManager bm) {
        if (config == null) {
            return;
        }
        try {
            bm.createInstance().select(ApiKeyService.class).get();
            LOG.info("jakarta-api-auth started: " + config);
        } catch (RuntimeException e) {
            adv.addDeploymentProblem(e instanceof ApiAuthConfigurationException ? e
                    : new ApiAuthConfigurationException("the API key backend '" + config.backend() + "' could not start: " + e));
        }
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
