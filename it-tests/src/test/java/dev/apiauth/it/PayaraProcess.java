package dev.apiauth.it;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A Payara Micro process started by a test itself, for what Arquillian hides: the server log, and stopping
 * and starting the same application again.
 */
final class PayaraProcess implements AutoCloseable {

    final int port;
    final Path log;
    private final Process process;

    private PayaraProcess(int port, Path log, Process process) {
        this.port = port;
        this.log = log;
        this.process = process;
    }

    /** Starts Payara Micro on a free port with {@code war} deployed at the context root {@code /app}. */
    static PayaraProcess start(File war, Path workDir, String logName) throws IOException {
        return start(war, workDir, logName, java.util.Map.of());
    }

    /** The same, with extra environment variables (MicroProfile Config reads {@code APIAUTH_*} from them). */
    static PayaraProcess start(File war, Path workDir, String logName, java.util.Map<String, String> env) throws IOException {
        return start(java.util.List.of("--deploy", war.getPath(), "--contextroot", "app"), workDir, logName, env);
    }

    /** One WAR at the root context {@code /}, where Payara also adds its own {@code /openapi} application. */
    static PayaraProcess startAtRoot(File war, Path workDir, String logName) throws IOException {
        return start(java.util.List.of("--deploy", war.getPath(), "--contextroot", "/"), workDir, logName, java.util.Map.of());
    }

    /** One WAR at {@code /app}, with extra Payara Micro options (e.g. {@code --postdeploycommandfile}). */
    static PayaraProcess startWithOptions(File war, Path workDir, String logName, String... options) throws IOException {
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("--deploy", war.getPath(), "--contextroot", "app"));
        args.addAll(java.util.List.of(options));
        return start(args, workDir, logName, java.util.Map.of());
    }

    /**
     * Several WARs deployed one after another by admin commands after the boot, each at the context root of its file
     * name. One application that fails to initialise cannot stop the others this way, whereas with several
     * {@code --deploy} options Payara Micro's boot-time initialisation of all deployments gives up at the first failure (a ConcurrentModificationException
     * in its initialize-all-applications command), in an order of its own. Wait for {@link #awaitDeployed}.
     */
    static PayaraProcess startDeployingEach(java.util.List<File> wars, Path workDir, String logName) throws IOException {
        StringBuilder commands = new StringBuilder();
        for (File war : wars) {
            String name = war.getName().replaceFirst("\\.war$", "");
            commands.append("deploy --name ").append(name).append(" --contextroot ").append(name).append(' ')
                    .append(war.getAbsolutePath()).append('\n');
        }
        Path commandFile = Files.writeString(Files.createDirectories(workDir).resolve(logName + ".commands"), commands.toString());
        return start(java.util.List.of("--postdeploycommandfile", commandFile.toString()), workDir, logName, java.util.Map.of());
    }

    /** Waits until the log reports {@code name} deployed (the admin commands run after the boot, in order). */
    String awaitDeployed(String name) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        String output = awaitBoot();
        while (!output.contains(name + " was successfully deployed")) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError(name + " was not deployed; log in " + log);
            }
            Thread.sleep(250);
            output = log();
        }
        return output;
    }

    private static PayaraProcess start(java.util.List<String> deploy, Path workDir, String logName, java.util.Map<String, String> env)
            throws IOException {
        Files.createDirectories(workDir);
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path log = workDir.resolve(logName);
        String microJar = System.getProperty("payara.microJar");
        if (microJar == null || !new File(microJar).isFile()) {
            throw new IllegalStateException("system property payara.microJar does not name the Payara Micro jar; run through Maven");
        }
        java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx384m",
                "-Djava.io.tmpdir=" + workDir, "-jar", microJar));
        command.addAll(deploy);
        command.addAll(java.util.List.of("--port", String.valueOf(port), "--nohazelcast", "--disablephonehome",
                "--rootdir", workDir.resolve("root-" + logName).toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(env);
        return new PayaraProcess(port, log, builder.start());
    }

    String baseUrl() {
        return "http://127.0.0.1:" + port + "/app/";
    }

    /** Waits until Payara reports that it is up, or has exited; returns the log so far. */
    String awaitBoot() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (System.nanoTime() < deadline) {
            String output = log();
            if (output.contains("Payara Micro URLs") || output.contains("ready in") || !process.isAlive()) {
                return output;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("Payara Micro neither started nor exited within 180 s; log in " + log);
    }

    String log() throws IOException {
        return Files.readString(log, StandardCharsets.UTF_8);
    }

    /**
     * An empty working directory: a server root left by an earlier run would still hold its applications and deploy
     * them again at the next start.
     */
    static Path freshDir(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var paths = Files.walk(dir)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        return Files.createDirectories(dir);
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
