package dev.apiauth.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiauth.demo.build.Deployments;
import java.io.File;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.jboss.shrinkwrap.api.ArchivePath;
import org.jboss.shrinkwrap.api.exporter.ZipExporter;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;

/**
 * The demo undeployed and deployed again five times in one Payara Micro (post-deploy admin commands): the server's
 * leak checks find nothing of the library's at any undeploy (no thread-local, no thread left behind), and the last
 * deployment still guards. Before the fix every undeploy logged SEVERE "created a ThreadLocal ... failed to remove
 * it" for KeyHasher's per-thread digest.
 */
class RedeployIT {

    static final int REDEPLOYS = 5;

    @Test
    void fiveRedeploysLeaveNothingBehind() throws Exception {
        Path dir = PayaraProcess.freshDir(Path.of(System.getProperty("apiauth.build", "target"), "redeploy"));
        WebArchive archive = Deployments.demoWith("app.war", Map.of("apiauth.usage.flush-interval", "1"));
        // the demo's optional PostgreSQL driver and datasource are the application's, not the library's: leave them out
        // so that the server's JDBC-driver leak warning does not hide what this test looks for
        List<ArchivePath> driver = archive.getContent(path -> path.get().contains("postgresql")).keySet().stream().collect(Collectors.toList());
        driver.forEach(archive::delete);
        archive.delete("WEB-INF/web.xml");
        File war = dir.resolve("app.war").toFile();
        archive.as(ZipExporter.class).exportTo(war, true);
        StringBuilder commands = new StringBuilder();
        String previous = "app";
        for (int i = 2; i <= REDEPLOYS + 1; i++) {
            commands.append("undeploy ").append(previous).append('\n')
                    .append("deploy --name app").append(i).append(" --contextroot app").append(i).append(' ').append(war.getAbsolutePath()).append('\n');
            previous = "app" + i;
        }
        Path commandFile = Files.writeString(dir.resolve("redeploy.txt"), commands.toString());
        try (PayaraProcess payara = PayaraProcess.startWithOptions(war, dir, "payara.log", "--postdeploycommandfile", commandFile.toString())) {
            payara.awaitBoot();
            String last = "app" + (REDEPLOYS + 1) + " was successfully deployed";
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(180);
            String log = payara.log();
            while (!log.contains(last) && payara.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(250); // the admin commands run after the boot message, one after another
                log = payara.log();
            }
            assertEquals(REDEPLOYS + 1, log.split("was successfully deployed", -1).length - 1, "deployed 1 + " + REDEPLOYS + " times; log in " + payara.log);
            List<String> leaks = log.lines()
                    .filter(l -> l.contains("ThreadLocal") || l.contains("failed to remove") || l.contains("memory leak")
                            || l.contains("apiauth-") && (l.contains("SEVERE") || l.contains("WARNING")))
                    .collect(Collectors.toList());
            assertTrue(leaks.isEmpty(), "leak reports at undeploy: " + leaks);
            Http http = new Http(new URL("http://127.0.0.1:" + payara.port + "/app" + (REDEPLOYS + 1) + "/"));
            assertEquals(200, http.get("api/public").status(), "the last deployment serves");
            assertEquals(401, http.get("api/hello").status(), "and guards");
        }
    }
}
