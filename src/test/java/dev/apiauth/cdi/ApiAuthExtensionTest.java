package dev.apiauth.cdi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiauth.ApiAuthConfig;
import dev.apiauth.ApiKey;
import dev.apiauth.ApiKeyService;
import dev.apiauth.GeneratedKey;
import dev.apiauth.KeyRequest;
import dev.apiauth.ScopeRequirement;
import dev.apiauth.backend.Backend;
import dev.apiauth.backend.memory.MemoryBackend;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.enterprise.inject.spi.DefinitionException;
import jakarta.inject.Named;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.config.spi.ConfigProviderResolver;
import org.jboss.weld.environment.se.Weld;
import org.jboss.weld.environment.se.WeldContainer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The extension in a real CDI container (Weld SE), configured through MicroProfile Config system properties. */
class ApiAuthExtensionTest {

    private final Map<String, String> properties = new HashMap<>();
    private WeldContainer container;

    private WeldContainer start(Map<String, String> config, Class<?>... beans) {
        config.forEach(System::setProperty);
        properties.putAll(config);
        ConfigProviderResolver.instance().releaseConfig(ConfigProvider.getConfig());
        container = new Weld("apiauth-test-" + UUID.randomUUID()).disableDiscovery()
                .addExtension(new ApiAuthExtension()).addBeanClass(Unrelated.class).addBeanClasses(beans).initialize();
        return container;
    }

    private RuntimeException startFails(Map<String, String> config, Class<?>... beans) {
        return assertThrows(RuntimeException.class, () -> start(config, beans));
    }

    @AfterEach
    void stop() {
        if (container != null && container.isRunning()) {
            container.shutdown();
        }
        properties.keySet().forEach(System::clearProperty);
        ConfigProviderResolver.instance().releaseConfig(ConfigProvider.getConfig());
    }

    @Test
    void defaultsGiveAWorkingServiceOnTheMemoryBackend() {
        WeldContainer weld = start(Map.of());
        Backend backend = weld.select(Backend.class, ApiAuth.Literal.INSTANCE).get();
        assertInstanceOf(MemoryBackend.class, backend);
        ApiKeyService service = weld.select(ApiKeyService.class).get();
        assertSame(service, weld.select(ApiKeyService.class).get(), "one service per application");
        GeneratedKey key = service.create(KeyRequest.of("n", "o"));
        assertTrue(service.validator().validate(key.plaintext(), ScopeRequirement.ANY_KEY).isValid());
        assertTrue(backend.getById(key.record().id()).isPresent(), "the service uses the @ApiAuth backend");
        assertEquals("ak_", weld.select(ApiAuthConfig.class).get().keyPrefix());
    }

    @Test
    void configIsReadFromMicroProfileConfig() {
        WeldContainer weld = start(Map.of("apiauth.key-prefix", "demo_", "apiauth.management.enabled", "true"));
        ApiAuthConfig config = weld.select(ApiAuthConfig.class).get();
        assertEquals("demo_", config.keyPrefix());
        assertTrue(config.managementEnabled());
        assertTrue(weld.select(ApiKeyService.class).get().create(KeyRequest.of("n", "o")).plaintext().startsWith("demo_"));
    }

    @Test
    void namedBackendBeanIsSelectedByName() {
        WeldContainer weld = start(Map.of("apiauth.backend", "custom"), CustomBackend.class);
        ApiKeyService service = weld.select(ApiKeyService.class).get();
        GeneratedKey key = service.create(KeyRequest.of("n", "o"));
        CustomBackend custom = weld.select(CustomBackend.class).get();
        assertTrue(custom.getById(key.record().id()).isPresent());
        assertTrue(custom.calls() > 0, "calls went to the named bean");
    }

    @Test
    void applicationProducedBackendReplacesOurs() {
        WeldContainer weld = start(Map.of(), BackendProducer.class);
        Backend backend = weld.select(Backend.class, ApiAuth.Literal.INSTANCE).get();
        assertSame(BackendProducer.BACKEND, backend);
        GeneratedKey key = weld.select(ApiKeyService.class).get().create(KeyRequest.of("n", "o"));
        assertTrue(BackendProducer.BACKEND.getById(key.record().id()).isPresent());
    }

    @Test
    void unknownBackendFailsNamingKeyValueAndChoices() {
        RuntimeException e = startFails(Map.of("apiauth.backend", "redi"), CustomBackend.class);
        assertInstanceOf(DefinitionException.class, e);
        String message = messages(e);
        assertTrue(message.contains("apiauth.backend=redi is not a backend"), message);
        assertTrue(message.contains("memory, jpa, redis, redis-cache, or the @Named name of a Backend bean"), message);
        assertTrue(message.contains("@Named Backend beans: custom"), message);
    }

    @Test
    void wrongValuesFailTheDeploymentNamingEachKey() {
        RuntimeException e = startFails(Map.of("apiauth.key-prefix", "BAD", "apiauth.usage.flush-interval", "soon",
                "apiauth.scheme", "Bear er"));
        String message = messages(e);
        assertTrue(message.contains("apiauth.key-prefix=BAD is invalid"), message);
        assertTrue(message.contains("apiauth.usage.flush-interval=soon is invalid"), message);
        assertTrue(message.contains("apiauth.scheme=Bear er is invalid"), message);
    }

    @Test
    void anApplicationOpenApiFilterThatCannotRunFailsTheDeploymentNamingTheKey() {
        String missing = messages(startFails(Map.of("apiauth.openapi.filter", "com.example.NoSuchFilter")));
        assertTrue(missing.contains("apiauth.openapi.filter=com.example.NoSuchFilter cannot be used: class com.example.NoSuchFilter cannot be loaded"),
                missing);
        String notAFilter = messages(startFails(Map.of("apiauth.openapi.filter", String.class.getName())));
        assertTrue(notAFilter.contains("java.lang.String does not implement org.eclipse.microprofile.openapi.OASFilter"), notAFilter);
        String malformed = messages(startFails(Map.of("apiauth.openapi.filter", "not a class")));
        assertTrue(malformed.contains("apiauth.openapi.filter=not a class is invalid"), malformed);
    }

    @Test
    void backendThatCannotStartFailsTheDeployment() {
        RuntimeException e = startFails(Map.of(), BrokenBackendProducer.class);
        assertTrue(messages(e).contains("the API key backend 'memory' could not start"), messages(e));
        assertTrue(messages(e).contains("no route to storage"), messages(e));
    }

    /** WildFly without Hibernate visible to the persistence unit: the first error names the missing class, not only a symptom. */
    @Test
    void aBackendMissingAClassFailsTheDeploymentNamingIt() {
        RuntimeException e = startFails(Map.of(), LinkageBackendProducer.class);
        assertTrue(messages(e).contains("the API key backend 'memory' could not start"), messages(e));
        assertTrue(messages(e).contains("NoClassDefFoundError: org/hibernate/proxy/HibernateProxy"), messages(e));
    }

    @Test
    void theLastUsageIsWrittenBeforeTheStoreCloses() {
        RecordingBackendProvider.EVENTS.clear();
        WeldContainer weld = start(Map.of("apiauth.backend", "recording", "apiauth.usage.flush-interval", "PT1H"));
        ApiKeyService service = weld.select(ApiKeyService.class).get();
        GeneratedKey key = service.create(KeyRequest.of("n", "shutdown"));
        assertTrue(service.validator().validate(key.plaintext(), ScopeRequirement.ANY_KEY).isValid());
        container.shutdown();
        assertEquals(List.of("usage written", "store closed"), RecordingBackendProvider.EVENTS,
                "the usage recorded last is flushed while the store is still open");
    }

    @ApplicationScoped
    static class LongLivedHoldingAKey {
        @jakarta.inject.Inject
        ApiKey key;
    }

    @jakarta.inject.Singleton
    static class SingletonHoldingAKey {
        @jakarta.inject.Inject
        ApiKey key;
    }

    @jakarta.enterprise.context.RequestScoped
    static class PerRequestHoldingAKey {
        @jakarta.inject.Inject
        ApiKey key;
    }

    @jakarta.enterprise.context.Dependent
    static class DependentHelperHoldingAKey {
        @jakarta.inject.Inject
        ApiKey key;
    }

    @jakarta.enterprise.context.Dependent
    @jakarta.ws.rs.Path("dependent-resource")
    static class DependentResourceHoldingAKey {
        @jakarta.inject.Inject
        ApiKey key;
    }

    @ApplicationScoped
    static class LongLivedAskingPerCall {
        @jakarta.inject.Inject
        jakarta.enterprise.inject.Instance<ApiKey> key;
    }

    @Test
    void injectingTheRequestsKeyIntoABeanThatOutlivesTheRequestFailsTheDeployment() {
        RuntimeException e = startFails(Map.of(), LongLivedHoldingAKey.class);
        assertTrue(messages(e).contains(LongLivedHoldingAKey.class.getName() + ".key"), messages(e));
        assertTrue(messages(e).contains("@ApplicationScoped"), messages(e));
        assertTrue(messages(e).contains("Instance<ApiKey>"), messages(e));
        stop();
        RuntimeException singleton = startFails(Map.of(), SingletonHoldingAKey.class);
        assertTrue(messages(singleton).contains(SingletonHoldingAKey.class.getName() + ".key"), messages(singleton));
    }

    @Test
    void aDependentHelperCannotHoldTheKeyEither() {
        RuntimeException e = startFails(Map.of(), DependentHelperHoldingAKey.class);
        assertTrue(messages(e).contains(DependentHelperHoldingAKey.class.getName() + ".key") && messages(e).contains("@Dependent"), messages(e));
    }

    @Test
    void requestScopedBeansResourcesAndInstanceLookupsMayHoldTheKey() {
        WeldContainer weld = start(Map.of(), PerRequestHoldingAKey.class, DependentResourceHoldingAKey.class, LongLivedAskingPerCall.class);
        assertTrue(weld.isRunning());
    }

    private static String messages(Throwable e) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            all.append(t.getMessage()).append('\n');
            for (Throwable s : t.getSuppressed()) {
                all.append(s.getMessage()).append('\n');
            }
        }
        return all.toString();
    }

    /** Weld SE wants at least one bean class. */
    @ApplicationScoped
    public static class Unrelated {
    }

    @ApplicationScoped
    @Named("custom")
    public static class CustomBackend implements Backend {
        private final MemoryBackend delegate = new MemoryBackend();
        private int calls;

        int calls() {
            return calls;
        }

        @Override
        public Optional<ApiKey> getByHash(String keyHash) {
            calls++;
            return delegate.getByHash(keyHash);
        }

        @Override
        public Optional<ApiKey> getById(UUID id) {
            calls++;
            return delegate.getById(id);
        }

        @Override
        public ApiKey create(ApiKey key) {
            calls++;
            return delegate.create(key);
        }

        @Override
        public ApiKey update(ApiKey key) {
            calls++;
            return delegate.update(key);
        }

        @Override
        public void delete(UUID id) {
            calls++;
            delegate.delete(id);
        }

        @Override
        public List<ApiKey> listByOwner(String ownerId) {
            calls++;
            return delegate.listByOwner(ownerId);
        }
    }

    @ApplicationScoped
    public static class BackendProducer {
        static final MemoryBackend BACKEND = new MemoryBackend();

        @Produces
        @ApiAuth
        Backend backend() {
            return BACKEND;
        }
    }

    @ApplicationScoped
    public static class LinkageBackendProducer {
        @Produces
        @ApiAuth
        Backend backend() {
            throw new NoClassDefFoundError("org/hibernate/proxy/HibernateProxy");
        }
    }

    @ApplicationScoped
    public static class BrokenBackendProducer {
        @Produces
        @ApiAuth
        Backend backend() {
            throw new IllegalStateException("no route to storage");
        }
    }

    @Test
    void keyChangesReachTheApplicationsSyncAndAsyncObserversAsCdiEvents() throws Exception {
        dev.apiauth.audit.AuditObservers.SYNC.clear();
        dev.apiauth.audit.AuditObservers.ASYNC.clear();
        WeldContainer weld = start(Map.of(), dev.apiauth.audit.AuditObservers.class);
        ApiKeyService service = weld.select(ApiKeyService.class).get();
        GeneratedKey key = service.create(KeyRequest.of("n", "o"));
        service.revoke(key.record().id());
        assertEquals(List.of(dev.apiauth.audit.KeyEvent.Type.CREATED, dev.apiauth.audit.KeyEvent.Type.REVOKED),
                dev.apiauth.audit.AuditObservers.SYNC.stream().map(dev.apiauth.audit.KeyEvent::type).toList(),
                "synchronous observers have seen each change when the call returns");
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (dev.apiauth.audit.AuditObservers.ASYNC.size() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(2, dev.apiauth.audit.AuditObservers.ASYNC.size());
    }

    @Test
    void withMicroProfileHealthTheReadinessCheckIsABeanAndWithoutItTheApplicationStillStartsAndGuards() {
        WeldContainer weld = start(Map.of());
        var readiness = weld.select(org.eclipse.microprofile.health.HealthCheck.class,
                org.eclipse.microprofile.health.Readiness.Literal.INSTANCE);
        assertTrue(readiness.isResolvable());
        assertEquals(org.eclipse.microprofile.health.HealthCheckResponse.Status.UP, readiness.get().call().getStatus());
        container.shutdown();

        // a server without MP Health: the extension looks for the API through the application's class loader
        ClassLoader original = Thread.currentThread().getContextClassLoader();
        Thread.currentThread().setContextClassLoader(new ClassLoader(original) {
            @Override
            protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
                if (name.startsWith("org.eclipse.microprofile.health.")) {
                    throw new ClassNotFoundException(name + " (hidden by the test)");
                }
                return super.loadClass(name, resolve);
            }
        });
        try {
            assertFalse(ApiAuthExtension.present("org.eclipse.microprofile.health.HealthCheck"));
            WeldContainer without = start(Map.of());
            assertTrue(without.select(org.eclipse.microprofile.health.HealthCheck.class, jakarta.enterprise.inject.Any.Literal.INSTANCE)
                    .isUnsatisfied(), "no readiness check without the API");
            ApiKeyService service = without.select(ApiKeyService.class).get();
            GeneratedKey key = service.create(KeyRequest.of("n", "o"));
            assertTrue(service.validator().validate(key.plaintext(), ScopeRequirement.ANY_KEY).isValid());
        } finally {
            Thread.currentThread().setContextClassLoader(original);
        }
    }
}
