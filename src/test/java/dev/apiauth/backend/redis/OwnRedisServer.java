package dev.apiauth.backend.redis;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A redis-server of a test's own on a free port, which it may stop, pause, freeze, crash and start again; the
 * machine's Redis on 6379 is never touched. A persistent server (append-only file, fsync at every write) keeps its
 * data through a stop or a crash, as a production Redis with AOF does.
 */
public final class OwnRedisServer implements AutoCloseable {

    public final int port;
    private final Path dir;
    private final boolean persistent;
    private Process process;

    OwnRedisServer() throws IOException {
        this(false);
    }

    public OwnRedisServer(boolean persistent) throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        this.persistent = persistent;
        dir = Files.createTempDirectory("apiauth-redis-" + port);
        start();
    }

    public String address() {
        return "redis://127.0.0.1:" + port;
    }

    public void start() throws IOException {
        String binary = new File("/usr/bin/redis-server").canExecute() ? "/usr/bin/redis-server" : "redis-server";
        process = new ProcessBuilder(binary, "--port", String.valueOf(port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", persistent ? "yes" : "no", "--appendfsync", "always", "--dir", dir.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            try (Socket probe = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                sleep(50);
            }
        }
        throw new IllegalStateException("redis-server did not start on port " + port + "; see " + dir.resolve("redis.log"));
    }

    public void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }

    /** Makes the server stop answering every client for {@code millis} (CLIENT PAUSE): a hung Redis, not a dead one. */
    void pause(long millis) throws IOException, InterruptedException {
        Process cli = new ProcessBuilder("redis-cli", "-p", String.valueOf(port), "CLIENT", "PAUSE", String.valueOf(millis), "ALL")
                .redirectErrorStream(true).start();
        if (!cli.waitFor(5, TimeUnit.SECONDS) || cli.exitValue() != 0) {
            throw new IllegalStateException("redis-cli CLIENT PAUSE failed: " + new String(cli.getInputStream().readAllBytes()));
        }
    }

    /** SIGSTOP: the process stops answering and holds its connections open, as a hung host does. */
    public void freeze() throws IOException, InterruptedException {
        signal("STOP");
    }

    /** SIGCONT after {@link #freeze}. */
    public void thaw() throws IOException, InterruptedException {
        signal("CONT");
    }

    /** SIGKILL: a crash (a persistent server replays its append-only file at the next start). */
    public void crash() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    private void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid())).redirectErrorStream(true).start();
        if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IllegalStateException("kill -" + name + " failed: " + new String(kill.getInputStream().readAllBytes()));
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            try {
                thaw(); // a frozen process does not act on SIGTERM
            } catch (IOException | RuntimeException ignored) {
                // already gone
            }
        }
        stop();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
