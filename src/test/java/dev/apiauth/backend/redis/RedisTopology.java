package dev.apiauth.backend.redis;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

/**
 * A Redis Cluster (three masters, three replicas) or a Sentinel-managed master and replica of a test's own, made of
 * {@code redis-server} processes on free ports (nothing but {@code redis-server} and {@code redis-cli}); the machine's
 * Redis is never touched. Nodes can be killed and started again, so failovers can be forced: {@link #killMaster()}
 * kills the master holding the namespace's slot and waits until a replica has taken over.
 */
public abstract class RedisTopology implements AutoCloseable {

    /**
     * How long a node may be unreachable before the cluster or the sentinel fails it over. At 1 s a sentinel starved of
     * CPU on this two-core machine under HTTP load took a healthy, just promoted master for dead and promoted the node
     * that had come back empty a moment before (every key lost): 3 s, still far below the usual production settings.
     */
    static final int NODE_TIMEOUT_MILLIS = 3000;
    /** How often a client asks for the topology (the README's recommendation). */
    static final int SCAN_MILLIS = 1000;

    final Path dir;
    final Map<Integer, Process> nodes = new LinkedHashMap<>();

    RedisTopology(String kind) throws IOException {
        dir = Files.createTempDirectory("apiauth-redis-" + kind);
    }

    /**
     * {@code cluster} or {@code sentinel}; when {@code redis-server} cannot run here, a failure under CI=true and a
     * skip with a message elsewhere.
     */
    public static RedisTopology start(String kind) throws InterruptedException {
        try {
            return kind.equals("cluster") ? cluster() : sentinel();
        } catch (IOException | RuntimeException e) {
            String message = "a local Redis " + kind + " could not be started (" + e.getMessage() + "); these tests need"
                    + " redis-server and redis-cli 7 on the PATH";
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError(message, e);
            }
            org.junit.jupiter.api.Assumptions.assumeTrue(false, message);
            throw new IllegalStateException(e);
        }
    }

    /** A three-master, three-replica cluster, every slot covered and every replica in sync. */
    public static RedisTopology cluster() throws IOException, InterruptedException {
        return new Cluster();
    }

    /** A master, a replica of it, and one sentinel watching them as {@value Sentinel#MASTER_NAME}. */
    public static RedisTopology sentinel() throws IOException, InterruptedException {
        return new Sentinel();
    }

    /** A client for this topology, configured as a user would, reading from masters. */
    public RedissonClient client() {
        Config config = new Config();
        configure(config);
        RedisClients.readFromMaster(config, null);
        return Redisson.create(config);
    }

    /** What a user writes in the file {@code apiauth.redis.config} names. */
    public abstract String yaml();

    /** Writes {@link #yaml()} to a file and returns its path. */
    public Path yamlFile() throws IOException {
        Path file = dir.resolve("redisson.yaml");
        Files.writeString(file, yaml());
        return file;
    }

    abstract void configure(Config config);

    /** The port of the master that holds {@code key}'s slot (for a sentinel setup: the master). */
    public abstract int masterOf(String key) throws IOException, InterruptedException;

    /** The port of a replica of that master. */
    public int replicaOf(String key) throws IOException, InterruptedException {
        int master = masterOf(key);
        for (int port : redisPorts()) {
            if (port != master && nodes.get(port).isAlive()) {
                String info = cli(port, "INFO", "replication");
                if (info.contains("role:slave") && info.lines().anyMatch(l -> l.strip().equals("master_port:" + master))) {
                    return port;
                }
            }
        }
        throw new IllegalStateException("no replica of " + master);
    }

    /**
     * SIGKILLs the master holding {@code key}, waits until a replica has been promoted and the topology serves
     * writes again, then starts the dead node again as a replica and waits until it is in sync: the next failover
     * finds a replica again. Returns the killed port.
     */
    public int killMaster(String key) throws IOException, InterruptedException {
        int master = masterOf(key);
        kill(master);
        awaitFailover(key, master);
        restart(master);
        awaitReplicasInSync();
        return master;
    }

    /** SIGKILL of one node. */
    public void kill(int port) throws InterruptedException {
        Process process = nodes.get(port);
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** Waits until another node than {@code dead} holds {@code key} as a master. */
    public void awaitFailover(String key, int dead) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            try {
                int now = masterOf(key);
                if (now != dead && ready(now)) {
                    return;
                }
            } catch (IOException | IllegalStateException notYet) {
                // asked a node that is not answering or not settled yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("no failover of " + dead + " within 60 s; see " + dir);
    }

    abstract boolean ready(int master) throws IOException, InterruptedException;

    /** Starts a killed node again, as a replica of the current master. */
    public abstract void restart(int port) throws IOException, InterruptedException;

    /** Waits until every replica's link to its master is up. */
    public void awaitReplicasInSync() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            boolean synced = true;
            int replicas = 0;
            for (int port : redisPorts()) {
                String info = cli(port, "INFO", "replication");
                if (info.contains("role:slave")) {
                    replicas++;
                    synced &= info.contains("master_link_status:up") && !info.contains("master_sync_in_progress:1");
                }
            }
            if (synced && replicas == expectedReplicas()) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("replicas not in sync within 60 s; see " + dir);
    }

    abstract int expectedReplicas();

    /** The ports of the data nodes (not the sentinel). */
    List<Integer> redisPorts() {
        return new ArrayList<>(nodes.keySet());
    }

    /** SIGSTOP or SIGCONT of one node. */
    public void signal(int port, String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, String.valueOf(nodes.get(port).pid())).redirectErrorStream(true).start();
        if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IllegalStateException("kill -" + name + " failed");
        }
    }

    Process startServer(int port, String... extra) throws IOException {
        Path nodeDir = dir.resolve(String.valueOf(port));
        Files.createDirectories(nodeDir);
        List<String> command = new ArrayList<>(List.of(binary("redis-server"), "--port", String.valueOf(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", nodeDir.toString(),
                // a node back as a replica refuses reads until it has its master's data, rather than answering
                // "no such key" (a valid key refused with 401) to a client that still takes it for the master
                "--replica-serve-stale-data", "no"));
        command.addAll(List.of(extra));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(nodeDir.resolve("redis.log").toFile())).start();
        awaitPort(port);
        return process;
    }

    static void awaitPort(int port) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            try (Socket probe = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        throw new IllegalStateException("redis-server did not start on port " + port);
    }

    /** {@code redis-cli -p port args...}; its output, or IOException when the node does not answer. */
    static String cli(int port, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(binary("redis-cli"), "-p", String.valueOf(port)));
        command.addAll(List.of(args));
        Process cli = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(cli.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!cli.waitFor(10, TimeUnit.SECONDS) || cli.exitValue() != 0 || out.startsWith("Could not connect")) {
            throw new IOException("redis-cli -p " + port + " " + String.join(" ", args) + ": " + out);
        }
        return out;
    }

    static String binary(String name) {
        return new File("/usr/bin/" + name).canExecute() ? "/usr/bin/" + name : name;
    }

    /**
     * {@code count} free ports whose cluster bus port (+10000) is free too, both below the ephemeral range (32768 and
     * up), where an outgoing connection could take a bus port between this check and the node's start (it happened to
     * the benchmark's cluster, see bench/http.sh).
     */
    static List<Integer> freePorts(int count) {
        java.util.Random random = new java.util.Random();
        List<Integer> ports = new ArrayList<>();
        for (int attempt = 0; ports.size() < count; attempt++) {
            if (attempt > 1000) {
                throw new IllegalStateException("no " + count + " free ports in 20000-22767 with free bus ports");
            }
            int port = 20000 + random.nextInt(2768);
            if (ports.contains(port)) {
                continue;
            }
            try (ServerSocket client = new ServerSocket(port); ServerSocket bus = new ServerSocket(port + 10000)) {
                ports.add(port);
            } catch (IOException taken) {
                // try another
            }
        }
        return ports;
    }

    @Override
    public void close() throws InterruptedException {
        for (Process process : nodes.values()) {
            process.destroyForcibly();
        }
        for (Process process : nodes.values()) {
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    static final class Cluster extends RedisTopology {

        Cluster() throws IOException, InterruptedException {
            super("cluster");
            List<Integer> ports = freePorts(6);
            try {
                for (int port : ports) {
                    nodes.put(port, startNode(port));
                }
                List<String> create = new ArrayList<>(List.of("--cluster", "create"));
                for (int port : ports) {
                    create.add("127.0.0.1:" + port);
                }
                create.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
                cli(ports.get(0), create.toArray(String[]::new));
                awaitClusterOk();
                awaitReplicasInSync();
            } catch (IOException | RuntimeException | InterruptedException e) {
                close();
                throw e;
            }
        }

        private Process startNode(int port) throws IOException {
            return startServer(port, "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                    "--cluster-node-timeout", String.valueOf(NODE_TIMEOUT_MILLIS), "--cluster-replica-validity-factor", "0");
        }

        private void awaitClusterOk() throws IOException, InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                boolean ok = true;
                for (int port : nodes.keySet()) {
                    try {
                        ok &= cli(port, "CLUSTER", "INFO").contains("cluster_state:ok");
                    } catch (IOException down) {
                        ok = false;
                    }
                }
                if (ok) {
                    return;
                }
                Thread.sleep(100);
            }
            throw new IllegalStateException("cluster_state not ok within 60 s; see " + dir);
        }

        @Override
        void configure(Config config) {
            var servers = config.useClusterServers().setScanInterval(SCAN_MILLIS).setTimeout(1000).setConnectTimeout(1000);
            for (int port : nodes.keySet()) {
                servers.addNodeAddress("redis://127.0.0.1:" + port);
            }
        }

        @Override
        public String yaml() {
            return "clusterServersConfig:\n  scanInterval: " + SCAN_MILLIS + "\n  timeout: 1000\n  connectTimeout: 1000\n"
                    + "  nodeAddresses:\n" + nodes.keySet().stream().map(p -> "  - \"redis://127.0.0.1:" + p + "\"\n").collect(Collectors.joining());
        }

        @Override
        public int masterOf(String key) throws IOException, InterruptedException {
            IOException last = null;
            for (int port : nodes.keySet()) {
                if (!nodes.get(port).isAlive()) {
                    continue;
                }
                try {
                    int slot = Integer.parseInt(cli(port, "CLUSTER", "KEYSLOT", key).strip());
                    for (String line : cli(port, "CLUSTER", "NODES").split("\n")) {
                        String[] f = line.strip().split(" ");
                        if (f.length < 9 || !f[2].contains("master") || f[2].contains("fail")) {
                            continue;
                        }
                        for (int i = 8; i < f.length; i++) {
                            String[] range = f[i].split("-");
                            if (range[0].startsWith("[")) {
                                continue; // a slot being migrated
                            }
                            int from = Integer.parseInt(range[0]);
                            int to = range.length > 1 ? Integer.parseInt(range[1]) : from;
                            if (slot >= from && slot <= to) {
                                return Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1, f[1].indexOf('@')));
                            }
                        }
                    }
                    throw new IllegalStateException("no master holds slot " + slot + " yet");
                } catch (IOException e) {
                    last = e;
                }
            }
            throw last != null ? last : new IOException("no node answers");
        }

        @Override
        boolean ready(int master) throws IOException, InterruptedException {
            return cli(master, "CLUSTER", "INFO").contains("cluster_state:ok") && cli(master, "INFO", "replication").contains("role:master");
        }

        @Override
        public void restart(int port) throws IOException, InterruptedException {
            nodes.put(port, startNode(port)); // its nodes.conf makes it rejoin, as a replica of the promoted node
            awaitClusterOk();
        }

        @Override
        int expectedReplicas() {
            return 3;
        }
    }

    static final class Sentinel extends RedisTopology {

        static final String MASTER_NAME = "apiauth";
        private final int sentinelPort;
        private Process sentinel;

        Sentinel() throws IOException, InterruptedException {
            super("sentinel");
            List<Integer> ports = freePorts(3);
            sentinelPort = ports.get(2);
            try {
                nodes.put(ports.get(0), startServer(ports.get(0)));
                nodes.put(ports.get(1), startServer(ports.get(1), "--replicaof", "127.0.0.1", String.valueOf(ports.get(0))));
                awaitReplicasInSync();
                Path conf = dir.resolve("sentinel.conf");
                Files.writeString(conf, "port " + sentinelPort + "\nbind 127.0.0.1\ndir " + dir + "\n"
                        + "sentinel monitor " + MASTER_NAME + " 127.0.0.1 " + ports.get(0) + " 1\n"
                        + "sentinel down-after-milliseconds " + MASTER_NAME + " " + NODE_TIMEOUT_MILLIS + "\n"
                        + "sentinel failover-timeout " + MASTER_NAME + " 10000\n");
                sentinel = new ProcessBuilder(binary("redis-server"), conf.toString(), "--sentinel").redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("sentinel.log").toFile())).start();
                awaitPort(sentinelPort);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (!cli(sentinelPort, "SENTINEL", "REPLICAS", MASTER_NAME).contains(String.valueOf(ports.get(1)))) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("the sentinel does not see the replica; see " + dir);
                    }
                    Thread.sleep(100);
                }
            } catch (IOException | RuntimeException | InterruptedException e) {
                close();
                throw e;
            }
        }

        @Override
        void configure(Config config) {
            config.useSentinelServers().setMasterName(MASTER_NAME).addSentinelAddress("redis://127.0.0.1:" + sentinelPort)
                    .setCheckSentinelsList(false).setScanInterval(SCAN_MILLIS).setTimeout(1000).setConnectTimeout(1000);
        }

        @Override
        public String yaml() {
            return "sentinelServersConfig:\n  masterName: \"" + MASTER_NAME + "\"\n  checkSentinelsList: false\n  scanInterval: "
                    + SCAN_MILLIS + "\n  timeout: 1000\n  connectTimeout: 1000\n  sentinelAddresses:\n  - \"redis://127.0.0.1:"
                    + sentinelPort + "\"\n";
        }

        @Override
        public int masterOf(String key) throws IOException, InterruptedException {
            String[] answer = cli(sentinelPort, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER_NAME).strip().split("\n");
            return Integer.parseInt(answer[answer.length - 1].strip());
        }

        @Override
        boolean ready(int master) throws IOException, InterruptedException {
            return cli(master, "INFO", "replication").contains("role:master");
        }

        @Override
        public void restart(int port) throws IOException, InterruptedException {
            int master = masterOf("");
            nodes.put(port, startServer(port, "--replicaof", "127.0.0.1", String.valueOf(master)));
        }

        @Override
        int expectedReplicas() {
            return 1;
        }

        @Override
        public void close() throws InterruptedException {
            if (sentinel != null) {
                sentinel.destroyForcibly();
                sentinel.waitFor(10, TimeUnit.SECONDS);
            }
            super.close();
        }
    }
}
