package dev.apiauth.jaxrs;

import dev.apiauth.ApiKey;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.context.RequestScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Default;
import jakarta.enterprise.inject.spi.AfterBeanDiscovery;
import jakarta.enterprise.inject.spi.BeanManager;

/**
 * Adds the beans behind {@code @Inject ApiKey}: a request-scoped holder that only the guard of this package
 * can write, and the dependent {@link ApiKey} read from it. Called by the library's CDI extension; not API.
 */
public final class RequestKeyBeans {

    private RequestKeyBeans() {
    }

    public static void addTo(AfterBeanDiscovery abd, BeanManager bm) {
        abd.addBean().beanClass(RequestKey.class).types(RequestKey.class, Object.class)
                .qualifiers(Default.Literal.INSTANCE, Any.Literal.INSTANCE)
                .scope(RequestScoped.class).createWith(c -> new RequestKey());
        abd.addBean().beanClass(ApiKey.class).types(ApiKey.class, Object.class)
                .qualifiers(Default.Literal.INSTANCE, Any.Literal.INSTANCE)
                .scope(Dependent.class)
                .createWith(c -> bm.createInstance().select(RequestKey.class).get().get());
    }
}
