package dev.apiauth.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiauth.backend.redis.OwnRedisServer;
import dev.apiauth.internal.KeyCodec;
import dev.apiauth.internal.KeyHasher;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The reliability suite (RELIABILITY.md; not part of the default build: {@code mvn -B verify -Preliability}).
 * For {@code jpa} (PostgreSQL), {@code redis} (without and with the near cache) and {@code redis-cache} over {@code jpa}
 * (without and with the near cache), one Payara Micro of the demo runs under steady HTTP load against a PostgreSQL and a Redis of the test's own,
 * and the stores are stopped, frozen (SIGSTOP) and crashed (SIGKILL, restarted at once) one after another. During
 * each fault a key in use is revoked through the management API. Measured from the client side, per fault:
 * <ul>
 * <li>requests with the revoked keys answered 200 (must be 0), and requests with the valid key answered 200 while
 *     no store could verify it, after the stated staleness bound (must be 0);</li>
 * <li>refusals while down: 503 with {@code Retry-After} (a 503 without it, or any other 5xx, must be 0);</li>
 * <li>recovery: from the moment the store answers again to the end of the last failed request;</li>
 * <li>SEVERE lines in the server log.</li>
 * </ul>
 * The figures are appended to {@code target/reliability/report.md}.
 */
class StoreOutageReliability {

    static final int CLIENTS = Integer.getInteger("reliability.clients", 8);
    static final long HOLD_MS = Long.getLong("reliability.hold-ms", 8_000);
    static final long RECOVERY_LIMIT_MS = 30_000;

    enum Kind { VALID, REVOKED, UNKNOWN, VICTIM }

    enum FaultType { STOP, FREEZE, CRASH }

    record Sample(Kind kind, int victim, long start, long end, int status, boolean retryAfter) {
    }

    /** A store the suite can take away: the test's own PostgreSQL or Redis. */
    interface Store {
        String name();

        void apply(FaultType fault) throws Exception;

        void restore(FaultType fault) throws Exception;
    }

    record Fault(String label, List<Store> stores, FaultType type, boolean verifiable) {
    }

    record Result(String scenario, String fault, long validOk, long validDown503, long valid503NoRetryAfter, long otherErrors,
                  long revoked200, long unverifiable200, String victimRevokeDuringFault, long recoveryMs, long severe, boolean recovered) {
    }

    @Test
    void storesStoppedFrozenAndCrashedUnderLoad() throws Exception {
        Path dir = PayaraProcess.freshDir(Path.of(System.getProperty("apiauth.build", "target"), "reliability"));
        List<Result> results = new ArrayList<>();
        String only = System.getProperty("reliability.scenarios", "jpa,jpa-near,redis,redis-near,redis-cache,redis-cache-near");
        for (String scenario : only.split(",")) {
            results.addAll(runScenario(scenario.trim(), dir));
        }
        StringBuilder report = new StringBuilder();
        report.append("\n## Store outages under load (").append(java.time.Instant.now()).append(")\n\n")
                .append(CLIENTS).append(" clients, each fault held ").append(HOLD_MS / 1000).append(" s (a crash is restarted at once)\n\n")
                .append("| backend | fault | valid 200 | valid 503 while down | 503 without Retry-After | other 5xx/errors"
                        + " | revoked keys 200 | unverifiable 200 | revoke during fault | recovery | SEVERE lines |\n")
                .append("|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Result r : results) {
            report.append("| ").append(r.scenario()).append(" | ").append(r.fault()).append(" | ").append(r.validOk())
                    .append(" | ").append(r.validDown503()).append(" | ").append(r.valid503NoRetryAfter())
                    .append(" | ").append(r.otherErrors()).append(" | ").append(r.revoked200())
                    .append(" | ").append(r.unverifiable200()).append(" | ").append(r.victimRevokeDuringFault())
                    .append(" | ").append(r.recoveryMs()).append(" ms | ").append(r.severe()).append(" |\n");
        }
        System.out.println(report);
        Files.writeString(dir.resolve("report.md"), report, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        for (Result r : results) {
            String where = r.scenario() + " / " + r.fault();
            assertEquals(0, r.revoked200(), where + ": a revoked key was accepted");
            assertEquals(0, r.unverifiable200(), where + ": a key was accepted while no store could verify it");
            assertEquals(0, r.valid503NoRetryAfter(), where + ": a 503 without Retry-After");
            assertEquals(0, r.otherErrors(), where + ": an answer other than 200/401/503, or no answer");
            assertTrue(r.recovered(), where + ": the valid key did not get 20 answers 200 in a row within 30 s of the store's return");
            assertTrue(r.recoveryMs() < RECOVERY_LIMIT_MS, where + ": not recovered within 30 s");
        }
    }

    private List<Result> runScenario(String scenario, Path dir) throws Exception {
        boolean near = scenario.endsWith("-near");
        String backend = near ? scenario.substring(0, scenario.length() - "-near".length()) : scenario;
        try (OwnPostgres postgres = new OwnPostgres(); OwnRedisServer redis = new OwnRedisServer(true)) {
            postgres.createDatabase("apiauth_reliability");
            Store pg = new Store() {
                public String name() {
                    return "PostgreSQL";
                }

                public void apply(FaultType fault) throws Exception {
                    switch (fault) {
                        case STOP -> postgres.stop();
                        case FREEZE -> postgres.freeze();
                        case CRASH -> postgres.crash();
                    }
                }

                public void restore(FaultType fault) throws Exception {
                    if (fault == FaultType.FREEZE) {
                        postgres.thaw();
                    } else {
                        postgres.start();
                    }
                }
            };
            Store rs = new Store() {
                public String name() {
                    return "Redis";
                }

                public void apply(FaultType fault) throws Exception {
                    switch (fault) {
                        case STOP -> redis.stop();
                        case FREEZE -> redis.freeze();
                        case CRASH -> redis.crash();
                    }
                }

                public void restore(FaultType fault) throws Exception {
                    if (fault == FaultType.FREEZE) {
                        redis.thaw();
                    } else {
                        redis.start();
                    }
                }
            };
            List<Fault> faults = new ArrayList<>();
            Map<String, String> config = new HashMap<>(Map.of(
                    "apiauth.backend", backend,
                    "apiauth.jpa.datasource", "java:app/jdbc/apikeys",
                    "apiauth.redis.address", redis.address(),
                    "apiauth.management.enabled", "true"));
            switch (backend) {
                case "jpa" -> {
                    config.put("apiauth.cache.local", String.valueOf(near));
                    addAll(faults, List.of(pg), false);
                }
                case "redis" -> {
                    config.put("apiauth.cache.local", String.valueOf(near));
                    addAll(faults, List.of(rs), false);
                }
                case "redis-cache" -> {
                    config.put("apiauth.cache.primary", "jpa");
                    config.put("apiauth.cache.local", String.valueOf(near));
                    addAll(faults, List.of(rs), true); // the primary still verifies
                    addAll(faults, List.of(pg), true); // the cache still holds the keys in use
                    faults.add(new Fault("both stopped", List.of(rs, pg), FaultType.STOP, false));
                }
                default -> throw new IllegalArgumentException("unknown scenario " + scenario);
            }
            String bootstrap = new KeyCodec("ops_").generate();
            config.put("apiauth.bootstrap.admin-key-hash", KeyHasher.unpeppered().hash(bootstrap));
            File war = JpaPostgresIT.postgresWar(dir, scenario + ".war", postgres.port, "apiauth_reliability", config);
            try (PayaraProcess payara = PayaraProcess.start(war, dir, scenario + ".log", Map.of())) {
                payara.awaitBoot();
                return new Run(scenario, payara, bootstrap, near ? 1_000 : 0).faults(faults); // apiauth.cache.local.max-staleness
            }
        }
    }

    private static void addAll(List<Fault> faults, List<Store> stores, boolean verifiable) {
        String name = stores.get(0).name();
        faults.add(new Fault(name + " stopped", stores, FaultType.STOP, verifiable));
        faults.add(new Fault(name + " frozen (SIGSTOP)", stores, FaultType.FREEZE, verifiable));
        faults.add(new Fault(name + " crashed, restarted", stores, FaultType.CRASH, verifiable));
    }

    /** One server under load through a series of faults. */
    private final class Run {
        final String scenario;
        final PayaraProcess payara;
        final String bootstrap;
        final long boundMs;
        final String base;
        final DemoCalls calls;
        final ConcurrentLinkedQueue<Sample> samples = new ConcurrentLinkedQueue<>();
        final List<String> victims = new ArrayList<>();
        final List<String> victimIds = new ArrayList<>();
        /** Per victim: nanoTime at which a revocation of it was answered 204 (Long.MAX_VALUE before). */
        final Map<Integer, Long> victimRevokedAt = new java.util.concurrent.ConcurrentHashMap<>();
        final AtomicReference<Integer> currentVictim = new AtomicReference<>(-1);

        Run(String scenario, PayaraProcess payara, String bootstrap, long boundMs) {
            this.scenario = scenario;
            this.payara = payara;
            this.bootstrap = bootstrap;
            this.boundMs = boundMs;
            this.base = "http://127.0.0.1:" + payara.port + "/app/";
            this.calls = new DemoCalls(base, bootstrap);
        }

        List<Result> faults(List<Fault> faults) throws Exception {
            String valid = createKey("valid")[0];
            String[] revoked = createKey("revoked");
            assertEquals(204, revoke(revoked[1]), "revoking before the load");
            String unknown = new KeyCodec("demo_").generate();
            for (Fault ignored : faults) {
                String[] victim = createKey("victim");
                victims.add(victim[0]);
                victimIds.add(victim[1]);
            }
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
                        int victim = currentVictim.get();
                        String key = kind == Kind.VICTIM ? (victim < 0 ? null : victims.get(victim)) : keys.get(kind);
                        if (key != null) {
                            samples.add(request(kind, victim, key));
                        }
                    }
                }, "load-" + t);
                thread.start();
                threads.add(thread);
            }
            List<Result> results = new ArrayList<>();
            try {
                Thread.sleep(5_000); // warm-up under load
                for (int f = 0; f < faults.size(); f++) {
                    results.add(fault(faults.get(f), f));
                }
            } finally {
                loading.set(false);
                for (Thread thread : threads) {
                    thread.join(30_000);
                }
            }
            return results;
        }

        private Result fault(Fault fault, int index) throws Exception {
            currentVictim.set(index);
            victimRevokedAt.put(index, Long.MAX_VALUE);
            Thread.sleep(2_000); // the victim key is in use (and cached where there is a cache)
            int severeBefore = severeLines();
            long faultAt = System.nanoTime();
            for (Store store : fault.stores()) {
                store.apply(fault.type());
            }
            long downAt = System.nanoTime();
            Thread.sleep(Math.min(2_000, HOLD_MS / 2));
            long revokeStart = System.nanoTime();
            int during = revoke(victimIds.get(index));
            long revokeMs = (System.nanoTime() - revokeStart) / 1_000_000;
            if (during == 204) {
                victimRevokedAt.put(index, System.nanoTime());
            }
            if (fault.type() != FaultType.CRASH) {
                long left = HOLD_MS - (System.nanoTime() - faultAt) / 1_000_000;
                if (left > 0) {
                    Thread.sleep(left);
                }
            }
            long restoreAt = System.nanoTime();
            for (Store store : fault.stores()) {
                store.restore(fault.type());
            }
            long restoredAt = System.nanoTime();
            if (during != 204) { // not confirmed during the fault: once the store is back, a retry must be final
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                int status = during;
                while (status != 204 && System.nanoTime() < deadline) {
                    Thread.sleep(200);
                    status = revoke(victimIds.get(index));
                }
                assertEquals(204, status, scenario + " / " + fault.label() + ": revoking after recovery");
                victimRevokedAt.put(index, System.nanoTime());
            }
            long recoveryDeadline = restoredAt + TimeUnit.MILLISECONDS.toNanos(RECOVERY_LIMIT_MS);
            boolean recovered = recovered(restoredAt);
            while (!recovered && System.nanoTime() < recoveryDeadline) {
                Thread.sleep(100);
                recovered = recovered(restoredAt);
            }
            Thread.sleep(3_000); // the load goes on against the recovered store
            long endAt = System.nanoTime();
            return analyse(fault, index, downAt, restoreAt, restoredAt, endAt, during + " in " + revokeMs + " ms",
                    severeLines() - severeBefore, faultAt, recovered);
        }

        /** Whether the last 20 requests with the valid key started after the store returned were all answered 200. */
        private boolean recovered(long restoredAt) {
            List<Sample> after = samples.stream().filter(s -> s.kind() == Kind.VALID && s.start() >= restoredAt)
                    .sorted(java.util.Comparator.comparingLong(Sample::start)).collect(Collectors.toList());
            if (after.size() < 20) {
                return false;
            }
            return after.subList(after.size() - 20, after.size()).stream().allMatch(s -> s.status() == 200);
        }

        private Result analyse(Fault fault, int index, long downAt, long restoreAt, long restoredAt, long endAt,
                               String revokeDuring, long severe, long faultAt, boolean recovered) {
            List<Sample> window = samples.stream().filter(s -> s.end() >= faultAt && s.start() <= endAt).collect(Collectors.toList());
            long validOk = window.stream().filter(s -> s.kind() == Kind.VALID && s.status() == 200).count();
            long down503 = window.stream().filter(s -> s.kind() == Kind.VALID && s.status() == 503
                    && s.start() >= downAt && s.start() < restoredAt).count();
            long noRetryAfter = window.stream().filter(s -> s.status() == 503 && !s.retryAfter()).count();
            long other = window.stream().filter(s -> s.status() != 200 && s.status() != 401 && s.status() != 503).count();
            long revoked200 = samples.stream().filter(s -> s.status() == 200
                    && (s.kind() == Kind.REVOKED || s.kind() == Kind.UNKNOWN
                        || s.kind() == Kind.VICTIM && s.start() > victimRevokedAt.getOrDefault(s.victim(), Long.MAX_VALUE))).count();
            long bound = TimeUnit.MILLISECONDS.toNanos(boundMs);
            long unverifiable = fault.verifiable() ? 0 : window.stream().filter(s -> s.status() == 200
                    && (s.kind() == Kind.VALID || s.kind() == Kind.VICTIM)
                    && s.start() > downAt + bound && s.end() < restoreAt).count();
            System.out.println(scenario + " / " + fault.label() + ": " + histogram(window));
            long lastFailureEnd = window.stream().filter(s -> s.kind() == Kind.VALID && s.status() != 200 && s.start() >= restoredAt)
                    .mapToLong(Sample::end).max().orElse(restoredAt);
            return new Result(scenario, fault.label(), validOk, down503, noRetryAfter, other, revoked200, unverifiable,
                    revokeDuring, (lastFailureEnd - restoredAt) / 1_000_000, severe, recovered);
        }

        private Sample request(Kind kind, int victim, String key) {
            long start = System.nanoTime();
            DemoCalls.Answer answer = calls.hello(key);
            return new Sample(kind, victim, start, System.nanoTime(), answer.status(), answer.retryAfter());
        }

        /** {plaintext, id} of a new key. */
        private String[] createKey(String name) throws Exception {
            return calls.createKey(name, "reliability");
        }

        private int revoke(String id) throws Exception {
            return calls.revoke(id);
        }

        private int severeLines() throws java.io.IOException {
            return (int) payara.log().lines().filter(l -> l.contains("SEVERE")).count();
        }
    }

    static Map<String, Long> histogram(List<Sample> samples) {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (Sample s : samples) {
            counts.merge(s.kind() + " " + s.status(), 1L, Long::sum);
        }
        return counts;
    }
}
