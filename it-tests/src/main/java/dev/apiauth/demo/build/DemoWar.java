package dev.apiauth.demo.build;

import java.io.File;
import org.jboss.shrinkwrap.api.exporter.ZipExporter;

/** {@code DemoWar <library jar> <output war> [server]}: writes the demo WAR that {@code mvn -Pdemo verify} runs. */
public final class DemoWar {

    private DemoWar() {
    }

    public static void main(String[] args) {
        File out = new File(args[1]);
        Deployments.demo(new File(args[0]), out.getName(), args.length > 2 ? args[2] : "payara6").as(ZipExporter.class).exportTo(out, true);
        System.out.println("demo WAR written to " + out);
    }
}
