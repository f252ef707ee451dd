package dev.apiauth.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiauth.demo.build.Deployments;
import dev.apiauth.it.shapes.ScanningApplication;
import dev.apiauth.testing.CredentialGenerator;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.shrinkwrap.api.exporter.ZipExporter;
import org.junit.jupiter.api.Test;

/**
 * Fuzzed credentials over real HTTP against the demo on Payara Micro, written byte for byte on raw sockets (no
 * client library cleaning them up): never a 2xx, never a 5xx, and no SEVERE or ERROR line in the server log.
 * A 400 is the HTTP server refusing a header it cannot parse before the application sees it; counted, allowed.
 */
class HttpFuzzIT {

    static final int REQUESTS = 10_000;
    /** A plain protected method, a protected sub-resource locator, the management API. */
    static final String[] PATHS = {"/app/api/hello", "/app/scan/locator/items/1", "/app/api/api-keys?ownerId=x"};
    static final long SEED = 8_2026_1128L;

    @Test
    void tenThousandFuzzedRequestsAreRefusedWithoutServerErrors() throws Exception {
        Path dir = PayaraProcess.freshDir(Path.of(System.getProperty("apiauth.build", "target"), "http-fuzz"));
        File war = dir.resolve("fuzz.war").toFile();
        Deployments.demoWith("fuzz.war", Map.of("apiauth.backend", "memory", "apiauth.management.enabled", "true"),
                        TestControlResource.class, FlakyBackend.class)
                .addPackage(ScanningApplication.class.getPackage())
                .as(ZipExporter.class).exportTo(war, true);
        try (PayaraProcess payara = PayaraProcess.start(war, dir, "payara.log")) {
            String boot = payara.awaitBoot();
            assertTrue(payara.isAlive(), "Payara did not start; log in " + payara.log);
            int bootLines = boot.split("\n", -1).length;
            Http http = new Http(new java.net.URL(payara.baseUrl()));
            String[] valid = new String[8];
            for (int i = 0; i < valid.length; i++) {
                Http.Response issued = http.post("api/test-control/keys?owner=fuzz-" + i, null);
                assertEquals(200, issued.status(), issued.toString());
                valid[i] = issued.body();
            }
            for (String path : PATHS) {
                int ok = http.get(path.substring("/app/".length()), "X-API-Key", valid[0]).status();
                assertTrue(ok == 200 || ok == 403, path + " lets a valid key through (403 for the management scope), so refusals mean something: " + ok);
            }

            CredentialGenerator generator = new CredentialGenerator(new Random(SEED), valid);
            List<byte[]> requests = new ArrayList<>(REQUESTS);
            boolean[] forbidden = new boolean[REQUESTS];
            for (int i = 0; i < REQUESTS; i++) {
                String credential = generator.next(i);
                if (credential != null && isValidAfterTrimming(credential, valid)) {
                    credential = credential + "!"; // HTTP servers trim SP/HTAB around a value: that would be the key itself
                }
                requests.add(request(PATHS[i % PATHS.length], credential, i % 10 == 9 ? "Authorization" : "X-API-Key"));
                forbidden[i] = credential != null && httpRefuses(credential);
            }
            Map<String, AtomicInteger> statuses = new ConcurrentHashMap<>();
            List<String> let = java.util.Collections.synchronizedList(new ArrayList<>());
            ExecutorService pool = Executors.newFixedThreadPool(2);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                int offset = t;
                done.add(pool.submit(() -> {
                    for (int i = offset; i < REQUESTS; i += 2) {
                        String status = send(payara.port, requests.get(i));
                        statuses.computeIfAbsent(status, s -> new AtomicInteger()).incrementAndGet();
                        if ((!status.equals("401") && !(status.equals("400") && forbidden[i])) && let.size() < 20) {
                            let.add(status + " " + printable(requests.get(i)));
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            pool.shutdown();
            Map<String, Integer> counts = new TreeMap<>();
            statuses.forEach((k, v) -> counts.put(k, v.get()));
            List<String> after = List.of(payara.log().split("\n", -1)).subList(bootLines - 1, payara.log().split("\n", -1).length);
            long errors = after.stream().filter(l -> l.contains("[SEVERE]") || l.contains("[ERROR]") || l.contains(" ERROR ")).count();
            System.out.println("HTTP fuzz: " + REQUESTS + " requests, statuses " + counts + ", SEVERE/ERROR log lines " + errors);
            assertEquals(REQUESTS, counts.values().stream().mapToInt(Integer::intValue).sum());
            assertTrue(let.isEmpty(), "only 401, or 400 for a header HTTP itself forbids; got " + counts + " with " + let
                    + "; log in " + payara.log);
            int allowed = 0;
            for (boolean f : forbidden) {
                allowed += f ? 0 : 1;
            }
            assertEquals(allowed, counts.getOrDefault("401", 0), "every request HTTP allows reaches the guard and gets 401: " + counts);
            assertEquals(0, errors, "SEVERE/ERROR lines in " + payara.log);
        }
    }

    private static String printable(byte[] request) {
        StringBuilder out = new StringBuilder();
        for (byte b : request) {
            int c = b & 0xff;
            out.append(c >= 0x20 && c < 0x7f ? String.valueOf((char) c) : String.format("\\x%02x", c));
        }
        return out.length() > 400 ? out.substring(0, 400) + "..." : out.toString();
    }

    private static boolean isValidAfterTrimming(String credential, String[] valid) {
        String trimmed = credential.replaceAll("^[ \\t]+|[ \\t]+$", "");
        for (String key : valid) {
            if (trimmed.equals(key)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether the HTTP server refuses this value before any application code runs: control characters but HTAB
     * (RFC 9110 field values), any byte above 0x7E (Payara's HTTP server, Grizzly, answers 400 to them although
     * RFC 9110 tolerates them as obs-text), or more than its 8 KiB header limit.
     */
    private static boolean httpRefuses(String credential) {
        int bytes = 0;
        for (int i = 0; i < credential.length(); i++) {
            char c = credential.charAt(i);
            if (c == '\r' || c == '\n') {
                bytes++; // sent as '?'
                continue;
            }
            byte[] encoded = c <= 0xff ? new byte[] {(byte) c} : String.valueOf(c).getBytes(StandardCharsets.UTF_8);
            for (byte b : encoded) {
                int v = b & 0xff;
                if (v < 0x20 && v != '\t' || v >= 0x7f) {
                    return true;
                }
            }
            bytes += encoded.length;
        }
        return bytes > 8000;
    }

    /** The raw request: Latin-1 characters as single bytes, anything beyond as UTF-8; CR and LF sent as '?' (they would end the header). */
    private static byte[] request(String path, String credential, String header) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] head = ("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n").getBytes(StandardCharsets.US_ASCII);
        out.writeBytes(head);
        if (credential != null) {
            out.writeBytes((header + ": " + (header.equals("Authorization") ? "Bearer " : "")).getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < credential.length(); i++) {
                char c = credential.charAt(i);
                if (c == '\r' || c == '\n') {
                    out.write('?');
                } else if (c <= 0xff) {
                    out.write(c);
                } else {
                    out.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
                }
            }
            out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    /** The status code of the response, or "closed" when the server closed the connection without one. */
    private static String send(int port, byte[] request) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(15_000);
            OutputStream out = socket.getOutputStream();
            out.write(request);
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] line = new byte[12];
            int read = 0;
            while (read < line.length) {
                int n = in.read(line, read, line.length - read);
                if (n < 0) {
                    break;
                }
                read += n;
            }
            if (read < 12) {
                return "closed";
            }
            return new String(line, 9, 3, StandardCharsets.US_ASCII);
        }
    }
}
