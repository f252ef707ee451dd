package dev.apiauth.it;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A PostgreSQL server of a test's own (initdb into a fresh directory, trust authentication, a free port), which the
 * test may stop, freeze (SIGSTOP on the postmaster and every backend), crash (SIGKILL) and start again; the
 * machine's PostgreSQL on 5432 is never touched. Run as root, the server runs as the {@code postgres} user, as
 * PostgreSQL refuses root.
 */
final class OwnPostgres implements AutoCloseable {

    final int port;
    private final Path dir;
    private final Path data;
    private final String bin;
    private final boolean asPostgresUser;

    OwnPostgres() throws IOException, InterruptedException {
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        bin = binaries();
        asPostgresUser = "root".equals(System.getProperty("user.name"));
        dir = Files.createTempDirectory(Path.of("/tmp"), "apiauth-pg-" + port);
        data = dir.resolve("data");
        if (asPostgresUser) {
            run(List.of("chown", "postgres", dir.toString()), false);
        }
        run(List.of(bin + "/initdb", "-D", data.toString(), "-A", "trust", "-U", "postgres", "--no-sync"), true);
        start();
    }

    void start() throws IOException, InterruptedException {
        run(List.of(bin + "/pg_ctl", "-D", data.toString(), "-l", dir.resolve("postgres.log").toString(), "-w", "-t", "30",
                "-o", "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off", "start"), true);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            try (Socket probe = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("PostgreSQL did not start on port " + port + "; see " + dir.resolve("postgres.log"));
    }

    /** A clean, fast shutdown (open sessions are ended). */
    void stop() throws IOException, InterruptedException {
        run(List.of(bin + "/pg_ctl", "-D", data.toString(), "-m", "fast", "-w", "stop"), true);
    }

    /** SIGSTOP on the postmaster and all its backends: connections stay open and nothing answers. */
    void freeze() throws IOException, InterruptedException {
        signalAll("STOP");
    }

    void thaw() throws IOException, InterruptedException {
        signalAll("CONT");
    }

    /** SIGKILL on the postmaster and all its backends: the next start runs crash recovery. */
    void crash() throws IOException, InterruptedException {
        signalAll("KILL");
        Files.deleteIfExists(data.resolve("postmaster.pid"));
    }

    void createDatabase(String name) throws IOException, InterruptedException {
        run(List.of("psql", "-h", "127.0.0.1", "-p", String.valueOf(port), "-U", "postgres", "-d", "postgres", "-qc",
                "CREATE DATABASE " + name), false);
    }

    /**
     * SIGSTOP: the postmaster first, so it starts no backend that the list of its children would miss. SIGKILL: its
     * children are listed first (a dead postmaster's children are no longer its own); one it forks after the
     * listing exits by itself when it finds the postmaster gone.
     */
    private void signalAll(String signal) throws IOException, InterruptedException {
        String postmaster = Files.readAllLines(data.resolve("postmaster.pid")).get(0).trim();
        if (!signal.equals("KILL")) {
            run(List.of("kill", "-" + signal, postmaster), false);
        }
        List<String> pids = new ArrayList<>(signal.equals("KILL") ? List.of(postmaster) : List.of());
        Process children = new ProcessBuilder("pgrep", "-P", postmaster).start();
        for (String line : new String(children.getInputStream().readAllBytes()).split("\\s+")) {
            if (!line.isBlank()) {
                pids.add(line.trim());
            }
        }
        children.waitFor();
        if (!pids.isEmpty()) { // a backend may exit between the listing and the signal: that one is not an error
            List<String> command = new ArrayList<>(List.of("kill", "-" + signal));
            command.addAll(pids);
            Process kill = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(kill.getInputStream().readAllBytes());
            if (kill.waitFor() != 0 && output.lines().anyMatch(line -> !line.contains("No such process"))) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
            }
        }
    }

    private void run(List<String> command, boolean postgresUser) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>();
        if (postgresUser && asPostgresUser) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(command);
        Process process = new ProcessBuilder(full).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", full) + " failed: " + output);
        }
    }

    private static String binaries() {
        File[] versions = new File("/usr/lib/postgresql").listFiles();
        if (versions != null) {
            for (File version : versions) {
                if (new File(version, "bin/initdb").canExecute()) {
                    return version + "/bin";
                }
            }
        }
        throw new IllegalStateException("initdb not found under /usr/lib/postgresql; install the PostgreSQL server package");
    }

    @Override
    public void close() throws Exception {
        try {
            thaw();
        } catch (RuntimeException notRunning) {
            // nothing to thaw
        }
        try {
            stop();
        } catch (RuntimeException alreadyStopped) {
            // stopped by the test
        }
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
