package dev.apiauth.jaxrs.resteasy;

import jakarta.ws.rs.core.Application;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.jboss.resteasy.core.ResteasyContext;
import org.jboss.resteasy.spi.ResourceFactory;
import org.jboss.resteasy.spi.ResteasyDeployment;

/**
 * The resource classes of the RESTEasy application being deployed, as RESTEasy will register them: the classes and
 * singletons its {@code Application} lists, the {@code resteasy.resources}, component resources and resource factories it
 * names, and, when its {@code Application} lists nothing, what the server scanned (on WildFly also the EJB resources it
 * lists apart). Features run before the resources are registered, so this reads the deployment, not the registry (and
 * calls {@code getSingletons()} once more, as the mount always did). Defined by {@code ResteasyIntegration}'s bridge
 * loader only: never load it directly.
 */
public final class ResteasyResources implements Supplier<List<Class<?>>> {

    @Override
    public List<Class<?>> get() {
        ResteasyDeployment deployment = ResteasyContext.getContextData(ResteasyDeployment.class);
        if (deployment == null) {
            throw new IllegalStateException("RESTEasy's deployment is not available while features are configured");
        }
        return of(deployment);
    }

    static List<Class<?>> of(ResteasyDeployment deployment) {
        List<Class<?>> classes = new ArrayList<>();
        Application application = deployment.getApplication();
        if (application != null) {
            if (application.getClasses() != null) {
                classes.addAll(application.getClasses());
            }
            if (application.getSingletons() != null) {
                for (Object singleton : application.getSingletons()) {
                    classes.add(singleton.getClass());
                }
            }
        }
        boolean scanning = classes.isEmpty(); // RESTEasy registers what the server scanned only when the Application lists nothing
        List<String> names = new ArrayList<>();
        addAll(names, deployment.getResourceClasses()); // resteasy.resources: registered in any case
        addComponents(names, deployment.getJndiComponentResources()); // resteasy.jndi.component.resources
        if (deployment.getResourceFactories() != null) {
            for (ResourceFactory factory : deployment.getResourceFactories()) {
                if (factory != null && factory.getScannableClass() != null) {
                    classes.add(factory.getScannableClass());
                }
            }
        }
        if (scanning) {
            addAll(names, deployment.getScannedResourceClasses());
            // WildFly lists scanned EJB resources (@Stateless, @Singleton) apart: "jndi-name;class;refresh"
            addComponents(names, deployment.getScannedJndiComponentResources());
            if (deployment.getScannedResourceClassesWithBuilder() != null) {
                deployment.getScannedResourceClassesWithBuilder().values().forEach(more -> addAll(names, more));
            }
            if (deployment.getActualResourceClasses() != null) {
                for (Object type : deployment.getActualResourceClasses()) {
                    classes.add((Class<?>) type);
                }
            }
        }
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        for (String name : names) {
            try {
                classes.add(Class.forName(name.trim(), false, loader != null ? loader : ResteasyResources.class.getClassLoader()));
            } catch (ClassNotFoundException | LinkageError e) {
                // not loadable here: RESTEasy will say so when it registers it
            }
        }
        classes.removeIf(type -> type == null);
        return classes;
    }

    /** The class names of RESTEasy's component resource entries ({@code jndi-name;class;refresh}). */
    private static void addComponents(List<String> names, List<String> components) {
        if (components != null) {
            for (String component : components) {
                String[] fields = component == null ? new String[0] : component.split(";");
                if (fields.length > 1) {
                    names.add(fields[1]);
                }
            }
        }
    }

    private static void addAll(List<String> names, List<String> more) {
        if (more != null) {
            names.addAll(more);
        }
    }
}
