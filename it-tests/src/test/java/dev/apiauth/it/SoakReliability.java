package dev.apiauth.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiauth.backend.redis.OwnRedisServer;
import dev.apiauth.internal.KeyCodec;
import dev.apiauth.internal.KeyHasher;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.File;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The soak (RELIABILITY.md; {@code mvn -B verify -Preliability -Dit.test=SoakReliability -Dsoak.minutes=30}): one
 * Payara Micro of the demo on {@code redis-cache} with the near cache over {@code jpa}, with a PostgreSQL and a Redis of
 * the test's own, and {@code soak.clients} (64) clients, each with keys of its own owner, mixing validations (85%),
 * creations, rotations and revocations (5% each) for {@code soak.minutes}. Checked while it runs: every validation of
 * a key its client holds active is 200, every validation of a key it revoked (after the 204) or rotated away (after the
 * 201) is 401; nothing else but 503 with {@code Retry-After} (counted; at most one in 10,000 after the first minute);
 * a management call answered 503 is retried until it is final, as an operator would. Checked at the
 * end: each owner's listing holds exactly the keys its client created, active exactly as the client believes; each
 * active key still validates and 100 revoked ones per client are still refused; the server's heap after a full GC, sampled each
 * minute, does not grow.
 */
class SoakReliability {

    static final int CLIENTS = Integer.getInteger("soak.clients", 64);
    static final int MAX_ACTIVE_PER_CLIENT = 20;

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final LongAdder requests = new LongAdder();
    private final LongAdder unavailable = new LongAdder();
    private final LongAdder unavailableAfterWarmUp = new LongAdder();
    private volatile boolean warm;
    private final List<String> violations = java.util.Collections.synchronizedList(new ArrayList<>());
    private String base;
    private String bootstrap;

    @Test
    void mixedTrafficForHalfAnHourKeepsEveryInvariantAndAFlatHeap() throws Exception {
        String minutesProperty = System.getProperty("soak.minutes");
        org.junit.jupiter.api.Assumptions.assumeTrue(minutesProperty != null, "the soak runs only with -Dsoak.minutes=N");
        double minutes = Double.parseDouble(minutesProperty);
        Path dir = PayaraProcess.freshDir(Path.of(System.getProperty("apiauth.build", "target"), "soak"));
        try (OwnPostgres postgres = new OwnPostgres(); OwnRedisServer redis = new OwnRedisServer(true)) {
            postgres.createDatabase("apiauth_soak");
            bootstrap = new KeyCodec("ops_").generate();
            Map<String, String> config = new HashMap<>(Map.of(
                    "apiauth.backend", "redis-cache",
                    "apiauth.cache.primary", "jpa",
                    "apiauth.cache.local", "true",
                    "apiauth.jpa.datasource", "java:app/jdbc/apikeys",
                    "apiauth.redis.address", redis.address(),
                    "apiauth.management.enabled", "true",
                    "apiauth.usage.flush-interval", "5",
                    "apiauth.bootstrap.admin-key-hash", KeyHasher.unpeppered().hash(bootstrap)));
            File war = JpaPostgresIT.postgresWar(dir, "soak.war", postgres.port, "apiauth_soak", config);
            try (PayaraProcess payara = PayaraProcess.start(war, dir, "soak.log", Map.of())) {
                payara.awaitBoot();
                base = "http://127.0.0.1:" + payara.port + "/app/";
                run(payara, minutes, dir);
            }
        }
    }

    /** What one client believes about its own keys: id to plaintext, active or not. */
    private static final class Keys {
        final Map<String, String> active = new HashMap<>();
        final Map<String, String> inactive = new HashMap<>();
        final Set<String> created = ConcurrentHashMap.newKeySet();
    }

    private void run(PayaraProcess payara, double minutes, Path dir) throws Exception {
        long end = System.nanoTime() + (long) (minutes * 60e9);
        AtomicBoolean running = new AtomicBoolean(true);
        Keys[] keys = new Keys[CLIENTS];
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            Keys mine = keys[c] = new Keys();
            String owner = "soak-" + c;
            SplittableRandom random = new SplittableRandom(c);
            Thread thread = new Thread(() -> {
                try {
                    create(owner, mine);
                    while (running.get()) {
                        step(owner, mine, random);
                    }
                } catch (Exception e) {
                    violations.add(owner + ": " + e);
                }
            }, "soak-" + c);
            threads.add(thread);
        }
        List<Long> heap = new ArrayList<>();
        threads.forEach(Thread::start);
        long nextSample = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < end) {
            Thread.sleep(1_000);
            if (System.nanoTime() >= nextSample) {
                warm = true; // the first minute compiles the server's hot paths under full load
                heap.add(heapAfterGc(payara));
                nextSample += TimeUnit.SECONDS.toNanos(60);
                System.out.println("soak: " + heap.size() + " min, " + requests.sum() + " requests, heap after GC "
                        + heap.get(heap.size() - 1) / 1024 + " KiB, violations " + violations.size());
            }
        }
        running.set(false);
        for (Thread thread : threads) {
            thread.join(60_000);
        }
        long total = requests.sum();
        int createdKeys = 0;
        for (int c = 0; c < CLIENTS; c++) {
            createdKeys += keys[c].created.size();
            checkAtTheEnd("soak-" + c, keys[c]);
        }
        heap.add(heapAfterGc(payara));
        long severe = payara.log().lines().filter(l -> l.contains("SEVERE")).count();
        String report = "\n## Soak (" + java.time.Instant.now() + ")\n\n" + minutes + " min, " + CLIENTS + " clients, redis-cache"
                + " + near cache over jpa: " + total + " requests (" + (long) (total / (minutes * 60)) + "/s), " + createdKeys
                + " keys created; 503: " + unavailable.sum() + " (after the first minute: " + unavailableAfterWarmUp.sum() + "); violations: " + violations.size() + "; SEVERE lines: " + severe
                + "\nheap after full GC, per minute (KiB): " + heap.stream().map(h -> String.valueOf(h / 1024))
                .collect(java.util.stream.Collectors.joining(" ")) + "\n";
        System.out.println(report);
        Files.writeString(dir.resolve("report.md"), report, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        assertTrue(violations.isEmpty(), violations.size() + " violations, first: " + violations.subList(0, Math.min(10, violations.size())));
        // with both stores up a 503 comes only from a Redis command timing out (1 s) while the server is starved: the
        // minute's full-GC heap sample under 64 clients on two cores does that; rare, and never a violation
        assertTrue(unavailableAfterWarmUp.sum() * 10_000 <= total, unavailableAfterWarmUp.sum() + " answers 503 after the first minute");
        assertTrue(heap.size() >= 7, "too short to judge the heap");
        // flat: growth from the smallest of the first three samples to the last is a failure only when it is both more
        // than 20% and more than 16 MiB (below either, it is the noise of a 70 MiB live set)
        // the samples taken under load (the last one, after the load, would hide a backlog that drains once it stops)
        long early = heap.subList(0, 3).stream().mapToLong(Long::longValue).min().orElseThrow();
        long last = heap.subList(heap.size() - 4, heap.size() - 1).stream().mapToLong(Long::longValue).max().orElseThrow();
        assertTrue(last <= early * 1.2 || last - early < 16L << 20, "heap after GC grew from " + early / 1024 + " KiB to " + last / 1024 + " KiB");
    }

    private void step(String owner, Keys mine, SplittableRandom random) throws Exception {
        int dice = random.nextInt(100);
        if (dice < 85 || mine.active.isEmpty()) {
            if (mine.active.isEmpty()) {
                create(owner, mine);
                return;
            }
            boolean inactive = !mine.inactive.isEmpty() && random.nextInt(4) == 0;
            Map<String, String> from = inactive ? mine.inactive : mine.active;
            String id = pick(from, random);
            int status = validate(from.get(id));
            if (status != 503 && status != (inactive ? 401 : 200)) {
                violations.add(owner + ": " + (inactive ? "inactive" : "active") + " key " + id + " answered " + status);
            }
        } else if (dice < 90) {
            if (mine.active.size() < MAX_ACTIVE_PER_CLIENT) {
                create(owner, mine);
            } else {
                revoke(owner, mine, pick(mine.active, random));
            }
        } else if (dice < 95) {
            String id = pick(mine.active, random);
            HttpResponse<String> rotated = manage(HttpRequest.newBuilder(URI.create(base + "api/api-keys/" + id + "/rotate"))
                    .header("X-API-Key", bootstrap).POST(HttpRequest.BodyPublishers.noBody()));
            if (rotated.statusCode() == 201) {
                JsonObject json = json(rotated.body());
                mine.inactive.put(id, mine.active.remove(id));
                mine.active.put(json.getString("id"), json.getString("key"));
                mine.created.add(json.getString("id"));
            } else {
                violations.add(owner + ": rotate answered " + rotated.statusCode() + " " + rotated.body());
            }
        } else {
            revoke(owner, mine, pick(mine.active, random));
        }
    }

    private void create(String owner, Keys mine) throws Exception {
        HttpResponse<String> created = manage(HttpRequest.newBuilder(URI.create(base + "api/api-keys"))
                .header("X-API-Key", bootstrap).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"soak\",\"ownerId\":\"" + owner + "\"}")));
        if (created.statusCode() == 201) {
            JsonObject json = json(created.body());
            mine.active.put(json.getString("id"), json.getString("key"));
            mine.created.add(json.getString("id"));
        } else {
            violations.add(owner + ": create answered " + created.statusCode() + " " + created.body());
        }
    }

    private void revoke(String owner, Keys mine, String id) throws Exception {
        HttpResponse<String> revoked = manage(HttpRequest.newBuilder(URI.create(base + "api/api-keys/" + id + "/revoke"))
                .header("X-API-Key", bootstrap).POST(HttpRequest.BodyPublishers.noBody()));
        if (revoked.statusCode() == 204) {
            mine.inactive.put(id, mine.active.remove(id));
        } else {
            violations.add(owner + ": revoke answered " + revoked.statusCode() + " " + revoked.body());
        }
    }

    private int validate(String key) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(base + "api/hello")).header("X-API-Key", key).GET()).statusCode();
    }

    /** The listing holds exactly what the client created, active as it believes; validations agree. */
    private void checkAtTheEnd(String owner, Keys mine) throws Exception {
        Map<String, Boolean> listed = new HashMap<>();
        int offset = 0;
        while (true) {
            HttpResponse<String> page = send(HttpRequest.newBuilder(URI.create(base + "api/api-keys?ownerId=" + owner + "&limit=100&offset=" + offset))
                    .header("X-API-Key", bootstrap).GET());
            assertEquals(200, page.statusCode(), page.body());
            JsonObject json = json(page.body());
            for (JsonValue item : json.getJsonArray("items")) {
                listed.put(item.asJsonObject().getString("id"), item.asJsonObject().getBoolean("active"));
            }
            offset += 100;
            if (offset >= json.getInt("total")) {
                break;
            }
        }
        if (!listed.keySet().equals(mine.created)) {
            violations.add(owner + ": listed " + listed.size() + " keys, the client created " + mine.created.size());
        }
        mine.active.forEach((id, key) -> {
            if (!Boolean.TRUE.equals(listed.get(id))) {
                violations.add(owner + ": active key " + id + " listed as " + listed.get(id));
            }
        });
        mine.inactive.forEach((id, key) -> {
            if (!Boolean.FALSE.equals(listed.get(id))) {
                violations.add(owner + ": revoked key " + id + " listed as " + listed.get(id));
            }
        });
        for (Map.Entry<String, String> key : mine.active.entrySet()) {
            if (validate(key.getValue()) != 200) {
                violations.add(owner + ": active key " + key.getKey() + " refused at the end");
            }
        }
        int checked = 0;
        for (Map.Entry<String, String> key : mine.inactive.entrySet()) { // 100 of them: the map keeps no order
            if (++checked > 100) {
                break;
            }
            if (validate(key.getValue()) != 401) {
                violations.add(owner + ": revoked key " + key.getKey() + " accepted at the end");
            }
        }
    }

    /**
     * A management call, retried while it answers 503 (as the README tells operators: a 503 changed nothing, and
     * the retry is final), so the client's beliefs about its keys stay exact.
     */
    private HttpResponse<String> manage(HttpRequest.Builder request) throws Exception {
        HttpResponse<String> response = send(request);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (response.statusCode() == 503 && System.nanoTime() < deadline) {
            Thread.sleep(200);
            response = send(request);
        }
        return response;
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        HttpResponse<String> response = client.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        requests.increment();
        if (response.statusCode() == 503) {
            unavailable.increment();
            if (warm) {
                unavailableAfterWarmUp.increment();
            }
            if (response.headers().firstValue("Retry-After").isEmpty()) {
                violations.add("503 without Retry-After: " + request.build().uri().getPath());
            }
        }
        return response;
    }

    private static String pick(Map<String, String> keys, SplittableRandom random) {
        int n = random.nextInt(keys.size());
        for (String id : keys.keySet()) {
            if (n-- == 0) {
                return id;
            }
        }
        throw new IllegalStateException();
    }

    private static JsonObject json(String body) {
        return Json.createReader(new StringReader(body)).readObject();
    }

    private static final Pattern TOTAL = Pattern.compile("(?m)^Total\\s+\\d+\\s+(\\d+)\\s*$");

    /** Bytes of live objects in the server's heap: {@code jcmd GC.class_histogram} runs a full GC first and counts. */
    private static long heapAfterGc(PayaraProcess payara) throws Exception {
        String histogram = jcmd(payara.pid(), "GC.class_histogram");
        Matcher total = TOTAL.matcher(histogram);
        if (!total.find()) {
            throw new IllegalStateException("no Total line in jcmd GC.class_histogram");
        }
        return Long.parseLong(total.group(1));
    }

    private static String jcmd(long pid, String command) throws Exception {
        Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), String.valueOf(pid), command)
                .redirectErrorStream(true).start();
        String output = new String(jcmd.getInputStream().readAllBytes());
        if (!jcmd.waitFor(60, TimeUnit.SECONDS) || jcmd.exitValue() != 0) {
            throw new IllegalStateException("jcmd " + command + " failed: " + output);
        }
        return output;
    }
}
