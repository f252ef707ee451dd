package dev.apiauth.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.apiauth.demo.build.Deployments;
import dev.apiauth.internal.KeyCodec;
import dev.apiauth.internal.KeyHasher;
import jakarta.json.JsonObject;
import java.io.File;
import java.net.InetSocketAddress;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.exporter.ZipExporter;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;

/**
 * The optional integrations stay optional on a real server: Payara Micro hides from an application every server package
 * its {@code payara-web.xml} does not whitelist (beyond java, jakarta, Payara's and Weld's own), service files of
 * such packages included. Two WARs on one server:
 * <ul>
 *   <li>{@code bare} sees MicroProfile Config only: no MP Metrics, Health, OpenAPI, OpenTelemetry or EclipseLink, and
 *   not even the library's own {@code META-INF/services} files. It must deploy, guard (401 without a key, 200 with one),
 *   run the management API, and say at startup which integrations are absent;</li>
 *   <li>{@code otel} sees MP Config and the OpenTelemetry API but not MP Metrics, as on MicroProfile 7: its metrics go
 *   out as OpenTelemetry instruments over OTLP, to a receiver of the test's own, with exact counts per outcome.</li>
 * </ul>
 */
class HiddenApisIT {

    /**
     * What every application needs to see to run at all: MP Config (which the library requires), the JDK's internal
     * packages (Weld's proxies), and the implementations Payara finds through the application's class loader (JSON-P,
     * JSON-B, Krazo's servlet initializer). Whitelist entries are prefixes of class and of service-file names.
     */
    private static final String[] SERVER_IMPLEMENTATIONS = {"org.eclipse.microprofile.config", "jdk.", "sun.", "org.eclipse.krazo",
        "org.eclipse.parsson", "org.eclipse.yasson"};

    private static String[] concat(String[] first, String... more) {
        String[] all = java.util.Arrays.copyOf(first, first.length + more.length);
        System.arraycopy(more, 0, all, first.length, more.length);
        return all;
    }

    @Test
    void theJarDeploysAndGuardsWithEachOptionalApiHiddenAndFallsBackToOpenTelemetryMetrics() throws Exception {
        Map<String, Long> received = new HashMap<>();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            if (exchange.getRequestURI().getPath().endsWith("/v1/metrics")) {
                Map<String, Long> counts = Otlp.validations(body);
                synchronized (received) {
                    received.putAll(counts); // cumulative: the latest export holds the totals
                }
            }
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        receiver.start();
        String bootstrap = new KeyCodec("ops_").generate();
        String hash = KeyHasher.unpeppered().hash(bootstrap);
        Path dir = PayaraProcess.freshDir(Path.of(System.getProperty("apiauth.build", "target"), "hidden-apis"));
        File bare = dir.resolve("bare.war").toFile();
        whitelisted(Deployments.demoWith("bare.war", Map.of("apiauth.backend", "memory", "apiauth.key-prefix", "bare_",
                "apiauth.management.enabled", "true", "apiauth.bootstrap.admin-key-hash", hash)), SERVER_IMPLEMENTATIONS)
                .as(ZipExporter.class).exportTo(bare, true);
        File otel = dir.resolve("otel.war").toFile();
        whitelisted(Deployments.demoWith("otel.war", Map.ofEntries(Map.entry("apiauth.backend", "memory"),
                Map.entry("apiauth.key-prefix", "otel_"), Map.entry("apiauth.management.enabled", "true"),
                Map.entry("apiauth.bootstrap.admin-key-hash", hash), Map.entry("otel.sdk.disabled", "false"),
                Map.entry("otel.metrics.exporter", "otlp"), Map.entry("otel.traces.exporter", "none"),
                Map.entry("otel.logs.exporter", "none"), Map.entry("otel.exporter.otlp.protocol", "http/protobuf"),
                Map.entry("otel.exporter.otlp.endpoint", "http://127.0.0.1:" + receiver.getAddress().getPort()),
                Map.entry("otel.metric.export.interval", "300"))), concat(SERVER_IMPLEMENTATIONS,
                "io.opentelemetry", "META-INF/services/io.opentelemetry"))
                .as(ZipExporter.class).exportTo(otel, true);
        try (PayaraProcess payara = PayaraProcess.startDeployingEach(List.of(bare, otel), dir, "hidden.log")) {
            payara.awaitDeployed("bare");
            String log = payara.awaitDeployed("otel");
            String bareStart = startLine(log, "keyPrefix=bare_");
            for (String absent : new String[] {"MP Metrics and OpenTelemetry (no metrics)", "OpenTelemetry (no span attributes)",
                    "MP Health (no readiness check)", "MP OpenAPI (no OpenAPI contribution)"}) {
                assertTrue(bareStart.contains(absent), absent + " reported: " + bareStart);
            }
            assertTrue(bareStart.contains("integrations: none"), bareStart);
            String otelStart = startLine(log, "keyPrefix=otel_");
            assertTrue(otelStart.contains("metrics apiauth.* (OpenTelemetry, MP Metrics absent"), otelStart);
            assertFalse(log.contains("SEVERE"), "no SEVERE line:\n" + log);

            Http server = new Http(new URL("http://127.0.0.1:" + payara.port + "/"));
            for (String app : new String[] {"bare/", "otel/"}) {
                Http http = new Http(new URL("http://127.0.0.1:" + payara.port + "/" + app));
                JsonObject key = http.post("api/api-keys", "{\"name\":\"h\",\"ownerId\":\"hidden\"}", "X-API-Key", bootstrap).json();
                assertEquals(401, http.get("api/hello").status(), app);
                assertEquals(401, http.get("api/hello", "X-API-Key", "junk").status(), app);
                assertEquals(200, http.get("api/hello", "X-API-Key", key.getString("key")).status(), app);
                assertEquals(403, http.get("api/admin", "X-API-Key", key.getString("key")).status(), app);
                assertEquals(200, http.get("api/hello", "X-API-Key", key.getString("key")).status(), app);
            }
            String metrics = server.get("metrics").body();
            assertFalse(metrics.contains("apiauth"), "no MP Metrics from either application: " + metrics);
            assertFalse(server.get("health/ready").body().contains("apiauth"), "no readiness check");

            // otel: 3 valid (the management call with the bootstrap key, 2 hellos), 1 missing, 1 malformed (junk),
            // 1 insufficient-scope, exported as OpenTelemetry counters
            Map<String, Long> expected = Map.of("valid", 3L, "missing", 1L, "malformed", 1L, "insufficient-scope", 1L);
            Map<String, Long> seen = Map.of();
            for (int i = 0; i < 100 && !seen.entrySet().containsAll(expected.entrySet()); i++) {
                Thread.sleep(100);
                synchronized (received) {
                    seen = new HashMap<>(received);
                }
            }
            for (Map.Entry<String, Long> e : expected.entrySet()) {
                assertEquals(e.getValue(), seen.get(e.getKey()), "apiauth.validations{outcome=" + e.getKey() + "} exported: " + seen);
            }
        } finally {
            receiver.stop(0);
        }
    }

    /**
     * The WAR with Payara's class whitelist in its payara-web.xml (which Payara reads instead of glassfish-web.xml when
     * both exist): only these server packages, and Payara's always-visible ones, are seen. The JDK's own {@code jdk.} and
     * {@code sun.} packages are not among those, and Weld's proxies need them.
     */
    private static WebArchive whitelisted(WebArchive war, String... packages) {
        StringBuilder xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<payara-web-app>\n"
                + "  <jaxrs-roles-allowed-enabled>false</jaxrs-roles-allowed-enabled>\n");
        for (String p : packages) {
            xml.append("  <whitelist-package>").append(p).append("</whitelist-package>\n");
        }
        war.delete("WEB-INF/payara-web.xml");
        return war.addAsWebInfResource(new StringAsset(xml.append("</payara-web-app>\n").toString()), "payara-web.xml");
    }

    private static String startLine(String log, String marker) {
        for (String line : log.split("\n")) {
            if (line.contains("jakarta-api-auth started") && line.contains(marker)) {
                return line;
            }
        }
        throw new AssertionError("no start line with " + marker + " in:\n" + log);
    }

    /**
     * Just enough OTLP protobuf to read the apiauth.validations sums: ExportMetricsServiceRequest(1: ResourceMetrics
     * (2: ScopeMetrics (2: Metric (1: name, 7: Sum (1: NumberDataPoint (7: KeyValue(1: key, 2: AnyValue(1: string)),
     * 6: as_int)))))).
     */
    static final class Otlp {

        static Map<String, Long> validations(byte[] request) {
            Map<String, Long> counts = new HashMap<>();
            for (byte[] resource : fields(request, 1)) {
                for (byte[] scope : fields(resource, 2)) {
                    for (byte[] metric : fields(scope, 2)) {
                        List<byte[]> name = fields(metric, 1);
                        if (name.isEmpty() || !new String(name.get(0), StandardCharsets.UTF_8).equals("apiauth.validations")) {
                            continue;
                        }
                        for (byte[] sum : fields(metric, 7)) {
                            for (byte[] point : fields(sum, 1)) {
                                String outcome = null;
                                for (byte[] kv : fields(point, 7)) {
                                    if (new String(fields(kv, 1).get(0), StandardCharsets.UTF_8).equals("outcome")) {
                                        outcome = new String(fields(fields(kv, 2).get(0), 1).get(0), StandardCharsets.UTF_8);
                                    }
                                }
                                List<byte[]> value = fields(point, 6);
                                if (outcome != null && !value.isEmpty()) {
                                    counts.put(outcome, ByteBuffer.wrap(value.get(0)).order(ByteOrder.LITTLE_ENDIAN).getLong());
                                }
                            }
                        }
                    }
                }
            }
            return counts;
        }

        /** The values of field {@code number} (length-delimited as their bytes, fixed64 as 8 bytes); others skipped. */
        static List<byte[]> fields(byte[] message, int number) {
            List<byte[]> found = new ArrayList<>();
            int[] at = {0};
            while (at[0] < message.length) {
                long tag = varint(message, at);
                int field = (int) (tag >>> 3);
                int type = (int) (tag & 7);
                byte[] value;
                switch (type) {
                    case 0 -> {
                        varint(message, at);
                        value = null;
                    }
                    case 1 -> {
                        value = java.util.Arrays.copyOfRange(message, at[0], at[0] + 8);
                        at[0] += 8;
                    }
                    case 2 -> {
                        int length = (int) varint(message, at);
                        value = java.util.Arrays.copyOfRange(message, at[0], at[0] + length);
                        at[0] += length;
                    }
                    case 5 -> {
                        value = java.util.Arrays.copyOfRange(message, at[0], at[0] + 4);
                        at[0] += 4;
                    }
                    default -> throw new IllegalArgumentException("wire type " + type);
                }
                if (field == number && value != null) {
                    found.add(value);
                }
            }
            return found;
        }

        private static long varint(byte[] message, int[] at) {
            long result = 0;
            for (int shift = 0; ; shift += 7) {
                byte b = message[at[0]++];
                result |= (long) (b & 0x7f) << shift;
                if (b >= 0) {
                    return result;
                }
            }
        }
    }
}
