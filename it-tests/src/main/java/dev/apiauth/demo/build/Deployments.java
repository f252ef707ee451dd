package dev.apiauth.demo.build;

import dev.apiauth.demo.DemoApplication;
import java.io.File;
import java.util.Map;
import java.util.stream.Collectors;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.resolver.api.maven.Maven;
import org.jboss.shrinkwrap.api.asset.ClassLoaderAsset;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.spec.JavaArchive;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/**
 * Builds the demo WAR and the test WARs from the library jar Maven just packaged (the real artifact, not
 * its classes), so every test deploys what a user would.
 */
public final class Deployments {

    private Deployments() {
    }

    /** The packaged library jar: system property {@code apiauth.jar} (set by failsafe) or the first argument. */
    public static File libraryJar() {
        String path = System.getProperty("apiauth.jar");
        if (path == null) {
            throw new IllegalStateException("system property apiauth.jar is not set; run the tests through Maven (mvn verify)");
        }
        File jar = new File(path);
        if (!jar.isFile()) {
            throw new IllegalStateException("library jar " + jar + " does not exist; run 'mvn verify', which packages it first");
        }
        return jar;
    }

    /** The demo application with its own configuration. */
    public static WebArchive demo(File libraryJar, String name) {
        return demo(libraryJar, name, System.getProperty("apiauth.server", "payara6"));
    }

    /**
     * The demo for one server of the matrix ({@code payara6}, {@code payara7}, {@code wildfly}, {@code liberty}). Open
     * Liberty refuses a {@code web.xml} datasource whose driver is inside the application (J2CA8022E: it wants a shared
     * library), so there the demo's optional PostgreSQL datasource is left out; Liberty's are declared in server.xml.
     */
    public static WebArchive demo(File libraryJar, String name, String server) {
        WebArchive war = ShrinkWrap.create(WebArchive.class, name)
                .addPackage(DemoApplication.class.getPackage())
                .addAsLibrary(ShrinkWrap.createFromZipFile(JavaArchive.class, libraryJar))
                .addAsWebInfResource(new ClassLoaderAsset("demo/beans.xml"), "beans.xml")
                .addAsWebInfResource(new ClassLoaderAsset("demo/payara-web.xml"), "payara-web.xml");
        if (!"liberty".equals(server)) {
            war.addAsWebInfResource(new ClassLoaderAsset("demo/web.xml"), "web.xml");
        }
        return war.addAsLibrary(jarOf(org.postgresql.Driver.class))
                .addAsLibraries(redissonJars())
                .addAsResource(new ClassLoaderAsset("demo/microprofile-config.properties"), "META-INF/microprofile-config.properties");
    }

    /**
     * Redisson with its dependencies, an SLF4J binding to java.util.logging (Payara has none) and Caffeine (the near
     * cache's maps; a dependency of the library), as an application choosing {@code apiauth.backend=redis} packages them;
     * resolved from the local Maven repository.
     */
    public static File[] redissonJars() {
        String version = System.getProperty("redisson.version", "4.7.0");
        File[] redisson = Maven.resolver().resolve("org.redisson:redisson:" + version, "org.slf4j:slf4j-jdk14:2.0.17")
                .withTransitivity().asFile();
        File[] caffeine = Maven.resolver().resolve("com.github.ben-manes.caffeine:caffeine:" + System.getProperty("caffeine.version", "3.2.2"))
                .withoutTransitivity().asFile(); // as the library's pom has it: without its annotation-only dependencies
        File[] all = java.util.Arrays.copyOf(redisson, redisson.length + caffeine.length);
        System.arraycopy(caffeine, 0, all, redisson.length, caffeine.length);
        return all;
    }

    /** The jar a class was loaded from: the PostgreSQL driver, for the demo's optional datasource. */
    public static File jarOf(Class<?> type) {
        try {
            return new File(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The demo with extra classes and a configuration replacing the demo's. */
    public static WebArchive demoWith(String name, Map<String, String> config, Class<?>... extra) {
        WebArchive war = demo(libraryJar(), name).addClasses(extra);
        war.delete("WEB-INF/classes/META-INF/microprofile-config.properties");
        return war.addAsResource(config(config), "META-INF/microprofile-config.properties");
    }

    /** A microprofile-config.properties holding {@code config}. */
    private static StringAsset config(Map<String, String> config) {
        return new StringAsset(config.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining("\n")));
    }

    /**
     * A WAR with the library and only {@code classes} (no demo application), the given configuration and, when not null, a
     * {@code web.xml} holding {@code webXmlBody} inside {@code <web-app>}.
     */
    public static WebArchive bare(String name, Map<String, String> config, String webXmlBody, Class<?>... classes) {
        WebArchive war = ShrinkWrap.create(WebArchive.class, name)
                .addClasses(classes)
                .addAsLibrary(ShrinkWrap.createFromZipFile(JavaArchive.class, libraryJar()))
                .addAsWebInfResource(new ClassLoaderAsset("demo/beans.xml"), "beans.xml")
                .addAsResource(config(config), "META-INF/microprofile-config.properties");
        if (webXmlBody != null) {
            war.addAsWebInfResource(new StringAsset("<web-app xmlns=\"https://jakarta.ee/xml/ns/jakartaee\" version=\"6.0\">"
                    + webXmlBody + "</web-app>"), "web.xml");
        }
        return war;
    }
}
