package dev.apiauth.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiauth.backend.redis.RedisTopology;
import dev.apiauth.demo.build.Deployments;
import dev.apiauth.internal.KeyCodec;
import dev.apiauth.internal.KeyHasher;
import java.io.File;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.jboss.shrinkwrap.api.exporter.ZipExporter;
import org.junit.jupiter.api.Test;

/**
 * The failover suite (RELIABILITY.md; not part of the default build:
 * {@code mvn -B verify -Preliability -Dit.test=FailoverReliability}). One Payara Micro of the demo runs under steady HTTP
 * load on {@code apiauth.backend=redis} (without and with the near cache) against a Redis Cluster (three masters, three
 * replicas) and a Sentinel-managed master and replica of the test's own, with the library's defaults for those
 * topologies (one replica confirms each revocation). {@value #DEFAULT_KILLS} times per topology and backend: a fresh
 * key in use is revoked through the management API, and at once the master holding the keys is killed (SIGKILL); the
 * test waits for the promotion, starts the dead node again as a replica and waits for the service to recover. Measured
 * from the client side, per kill:
 * <ul>
 * <li>requests answered 200 with a key revoked before the kill (this kill's victim and every earlier one, and one
 *     revoked before the load), or with an unknown key: must be 0;</li>
 * <li>the 503 window: from the kill to the end of the last request with the valid key not answered 200, and the
 *     slowest answer to a request with the valid key (Redisson retries a command while the master is away);</li>
 * <li>answers other than 200, 401 or 503 with {@code Retry-After} (must be 0).</li>
 * </ul>
 * The figures are appended to {@code target/reliability/failover.md}. {@link RedisFailoverIT} runs one kill of it in
 * the default build.
 */
class FailoverReliability {

    static final int DEFAULT_KILLS = 10;
    static final int CLIENTS = Integer.getInteger("reliability.clients", 8);
    static final long RECOVERY_LIMIT_MS = 30_000;

    enum Kind { VALID, REVOKED, UNKNOWN, VICTIM }

    record Sample(Kind kind, int victim, long start, long end, int status, boolean retryAfter) {
    }

    record Kill(int killedPort, long failoverMs, long windowMs, long slowestMs, long valid503, long revokedAccepted,
                long unknownAccepted, long otherErrors, boolean recovered) {
    }

    record Result(String topology, String backend, List<Kill> kills, long severe) {
    }

    @Test
    void mastersKilledUnderLoad() throws Exception {
        int kills = Integer.getInteger("failover.kills", DEFAULT_KILLS);
        List<Result> results = new ArrayList<>();
        Path dir = PayaraProcess.freshDir(Path.of(System.getProperty("apiauth.build", "target"), "reliability"));
        for (String topology : System.getProperty("failover.topologies", "sentinel,cluster").split(",")) {
            for (String backend : System.getProperty("failover.backends", "redis,redis-near").split(",")) {
                results.add(run(topology.trim(), backend.trim(), kills, dir));
            }
        }
        report(results, dir.resolve("failover.md"));
        check(results);
    }

    static void check(List<Result> results) {
        for (Result r : results) {
            for (int i = 0; i < r.kills().size(); i++) {
                Kill k = r.kills().get(i);
                String where = r.topology() + " / " + r.backend() + " / kill " + (i + 1);
                assertEquals(0, k.revokedAccepted(), where + ": a key revoked before the kill was accepted");
                assertEquals(0, k.unknownAccepted(), where + ": an unknown key was accepted");
                assertEquals(0, k.otherErrors(), where + ": an answer other than 200, 401 or 503 with Retry-After");
                assertTrue(k.recovered(), where + ": the valid key did not get 20 answers 200 in a row within 30 s");
            }
        }
    }

    static void report(List<Result> results, Path file) throws Exception {
        StringBuilder report = new StringBuilder("\n## Redis master killed under load (" + java.time.Instant.now() + ")\n\n"
                + CLIENTS + " clients; per kill: the keys' master SIGKILLed right after a revocation was acknowledged\n\n"
                + "| topology | backend | kills | revoked keys 200 | unknown keys 200 | other answers | promotion (median / max)"
                + " | 503 window (median / max) | slowest valid answer (median / max) | valid 503s (total) | recovered | SEVERE lines |\n"
                + "|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Result r : results) {
            List<Kill> k = r.kills();
            report.append("| ").append(r.topology()).append(" | ").append(r.backend()).append(" | ").append(k.size())
                    .append(" | ").append(k.stream().mapToLong(Kill::revokedAccepted).sum())
                    .append(" | ").append(k.stream().mapToLong(Kill::unknownAccepted).sum())
                    .append(" | ").append(k.stream().mapToLong(Kill::otherErrors).sum())
                    .append(" | ").append(medianMax(k.stream().mapToLong(Kill::failoverMs).sorted().toArray()))
                    .append(" | ").append(medianMax(k.stream().mapToLong(Kill::windowMs).sorted().toArray()))
                    .append(" | ").append(medianMax(k.stream().mapToLong(Kill::slowestMs).sorted().toArray()))
                    .append(" | ").append(k.stream().mapToLong(Kill::valid503).sum())
                    .append(" | ").append(k.stream().filter(Kill::recovered).count()).append("/").append(k.size())
                    .append(" | ").append(r.severe()).append(" |\n");
        }
        System.out.println(report);
        Files.writeString(file, report, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private static String medianMax(long[] sorted) {
        return sorted.length == 0 ? "-" : sorted[sorted.length / 2] + " / " + sorted[sorted.length - 1] + " ms";
    }

    static Result run(String topologyName, String backend, int kills, Path dir) throws Exception {
        boolean near = backend.endsWith("-near");
        try (RedisTopology topology = RedisTopology.start(topologyName)) {
            String bootstrap = new KeyCodec("ops_").generate();
            String name = "failover-" + topologyName + "-" + backend;
            File war = dir.resolve(name + ".war").toFile();
            Deployments.demoWith(name + ".war", Map.of(
                    "apiauth.backend", "redis",
                    "apiauth.redis.config", topology.yamlFile().toString(),
                    "apiauth.cache.local", String.valueOf(near),
                    "apiauth.management.enabled", "true",
                    "apiauth.bootstrap.admin-key-hash", KeyHasher.unpeppered().hash(bootstrap))).as(ZipExporter.class).exportTo(war, true);
            // the keys' slot: the namespace the library picks on a cluster, {apiauth}:
            String anyKey = topologyName.equals("cluster") ? "{apiauth}:key:x" : "";
            try (PayaraProcess payara = PayaraProcess.start(war, dir, name + ".log", Map.of())) {
                payara.awaitBoot();
                List<Kill> results = new Load(payara, bootstrap).run(topology, anyKey, kills);
                long severe = payara.log().lines().filter(l -> l.contains("SEVERE")).count();
                return new Result(topologyName, backend, results, severe);
            }
        }
    }

    /** Steady requests with a valid, a revoked, an unknown and the current victim's key, through the kills. */
    private static final class Load {
        final PayaraProcess payara;
        final String bootstrap;
        final String base;
        final DemoCalls calls;
        final ConcurrentLinkedQueue<Sample> samples = new ConcurrentLinkedQueue<>();
        final List<String> victims = new java.util.concurrent.CopyOnWriteArrayList<>();
        /** Per victim: when its revocation was answered 204 (nanoTime). */
        final Map<Integer, Long> revokedAt = new java.util.concurrent.ConcurrentHashMap<>();
        final AtomicInteger current = new AtomicInteger(-1);

        Load(PayaraProcess payara, String bootstrap) {
            this.payara = payara;
            this.bootstrap = bootstrap;
            this.base = "http://127.0.0.1:" + payara.port + "/app/";
            this.calls = new DemoCalls(base, bootstrap);
        }

        List<Kill> run(RedisTopology topology, String anyKey, int kills) throws Exception {
            String valid = createKey("valid")[0];
            String[] revoked = createKey("revoked");
            assertEquals(204, revoke(revoked[1]), "revoking before the load");
            String unknown = new KeyCodec("demo_").generate();
            Map<Kind, String> keys = Map.of(Kind.VALID, valid, Kind.REVOKED, revoked[0], Kind.UNKNOWN, unknown);
            AtomicBoolean loading = new AtomicBoolean(true);
            List<Thread> threads = new ArrayList<>();
            Kind[] cycle = {Kind.VALID, Kind.VICTIM, Kind.REVOKED, Kind.VALID, Kind.UNKNOWN, Kind.VICTIM};
            for (int t = 0; t < CLIENTS; t++) {
                int offset = t;
                Thread thread = new Thread(() -> {
                    int i = offset;
                    while (loading.get()) {
                        Kind kind = cycle[i++ % cycle.length];
                        int victim = kind == Kind.VICTIM ? Math.floorMod(i, Math.max(1, current.get() + 1)) : -1;
                        String key = kind == Kind.VICTIM ? (current.get() < 0 ? null : victims.get(victim)) : keys.get(kind);
                        if (key != null) {
                            samples.add(request(kind, victim, key));
                        }
                    }
                }, "load-" + t);
                thread.start();
                threads.add(thread);
            }
            List<Kill> results = new ArrayList<>();
            try {
                Thread.sleep(3_000); // warm-up under load
                unconfirmedRevocation(topology, anyKey);
                for (int k = 0; k < kills; k++) {
                    results.add(kill(topology, anyKey, k));
                }
            } finally {
                loading.set(false);
                for (Thread thread : threads) {
                    thread.join(30_000);
                }
            }
            return results;
        }

        private Kill kill(RedisTopology topology, String anyKey, int index) throws Exception {
            String[] victim = retryUntil(() -> createKey("victim-" + index), "creating victim " + index);
            victims.add(victim[0]);
            revokedAt.put(index, Long.MAX_VALUE);
            current.set(index); // requests now use every victim so far, the new one still valid
            Thread.sleep(1_000); // in use, and in the near cache where there is one
            int status = revoke(victim[1]);
            assertEquals(204, status, "revoking victim " + index + " before the kill");
            revokedAt.put(index, System.nanoTime());
            long killAt = System.nanoTime();
            int port = topology.masterOf(anyKey);
            topology.kill(port);
            topology.awaitFailover(anyKey, port);
            long failoverMs = (System.nanoTime() - killAt) / 1_000_000;
            topology.restart(port);
            topology.awaitReplicasInSync();
            long deadline = killAt + TimeUnit.MILLISECONDS.toNanos(RECOVERY_LIMIT_MS);
            boolean recovered = recovered(killAt);
            while (!recovered && System.nanoTime() < deadline) {
                Thread.sleep(100);
                recovered = recovered(killAt);
            }
            Thread.sleep(1_000); // the load goes on against the recovered topology
            return analyse(index, port, killAt, failoverMs, recovered);
        }

        /**
         * With the keys' replica frozen (SIGSTOP), a revocation is answered 503 {@code change-not-confirmed} with
         * {@code Retry-After}; thawed, its retry is answered 204.
         */
        private void unconfirmedRevocation(RedisTopology topology, String anyKey) throws Exception {
            String[] key = createKey("unconfirmed");
            int replica = topology.replicaOf(anyKey);
            HttpResponse<String> refused;
            topology.signal(replica, "STOP");
            try {
                refused = calls.revokeAnswer(key[1]);
            } finally {
                topology.signal(replica, "CONT");
            }
            assertEquals(503, refused.statusCode(), refused.body());
            assertTrue(refused.body().contains("change-not-confirmed"), refused.body());
            assertTrue(refused.headers().firstValue("Retry-After").isPresent());
            topology.awaitReplicasInSync();
            assertEquals(204, revoke(key[1]), "the retry, once the replica is back");
        }

        /** Whether the last 20 requests with the valid key started after the kill were all answered 200. */
        private boolean recovered(long since) {
            List<Sample> after = samples.stream().filter(s -> s.kind() == Kind.VALID && s.start() >= since)
                    .sorted(java.util.Comparator.comparingLong(Sample::start)).collect(Collectors.toList());
            return after.size() >= 20 && after.subList(after.size() - 20, after.size()).stream().allMatch(s -> s.status() == 200);
        }

        private Kill analyse(int index, int port, long killAt, long failoverMs, boolean recovered) {
            List<Sample> window = samples.stream().filter(s -> s.end() >= killAt).collect(Collectors.toList());
            long revokedAccepted = window.stream().filter(s -> s.status() == 200 && (s.kind() == Kind.REVOKED
                    || s.kind() == Kind.VICTIM && s.start() > revokedAt.getOrDefault(s.victim(), Long.MAX_VALUE))).count();
            long unknownAccepted = window.stream().filter(s -> s.kind() == Kind.UNKNOWN && s.status() == 200).count();
            long other = window.stream().filter(s -> !(s.status() == 200 || s.status() == 401 || s.status() == 503 && s.retryAfter())).count();
            long valid503 = window.stream().filter(s -> s.kind() == Kind.VALID && s.status() == 503).count();
            long lastFailureEnd = window.stream().filter(s -> s.kind() == Kind.VALID && s.status() != 200)
                    .mapToLong(Sample::end).max().orElse(killAt);
            long slowest = window.stream().filter(s -> s.kind() == Kind.VALID).mapToLong(s -> (s.end() - s.start()) / 1_000_000)
                    .max().orElse(0);
            Map<String, Long> histogram = new java.util.TreeMap<>();
            window.forEach(s -> histogram.merge(s.kind() + " " + s.status(), 1L, Long::sum));
            System.out.println("kill " + (index + 1) + " of " + port + ": promotion " + failoverMs + " ms, " + histogram);
            samples.removeIf(s -> s.end() < killAt); // keeps memory flat over the kills
            return new Kill(port, failoverMs, Math.max(0, (lastFailureEnd - killAt) / 1_000_000), slowest, valid503,
                    revokedAccepted, unknownAccepted, other, recovered);
        }

        private Sample request(Kind kind, int victim, String key) {
            long start = System.nanoTime();
            DemoCalls.Answer answer = calls.hello(key);
            return new Sample(kind, victim, start, System.nanoTime(), answer.status(), answer.retryAfter());
        }

        private <T> T retryUntil(java.util.concurrent.Callable<T> call, String what) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            AssertionError last = null;
            while (System.nanoTime() < deadline) {
                try {
                    return call.call();
                } catch (AssertionError e) {
                    last = e;
                    Thread.sleep(200);
                }
            }
            throw new AssertionError(what + " did not succeed within 30 s", last);
        }

        private String[] createKey(String name) throws Exception {
            return calls.createKey(name, "failover");
        }

        private int revoke(String id) throws Exception {
            return calls.revoke(id);
        }
    }
}
