package dev.apiauth.jaxrs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiauth.ApiAuthConfig;
import dev.apiauth.ApiKeyRequired;
import dev.apiauth.ApiKeyService;
import dev.apiauth.KeyRequest;
import dev.apiauth.backend.memory.MemoryBackend;
import dev.apiauth.testing.CredentialGenerator;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Seeded fuzzing of the request path: generated credentials go through the real {@link ApiKeyFilter} (validator,
 * memory backend holding real keys, problem responses), in both header styles. Every one must be refused with
 * 401: never let through, never a 5xx, never an exception, never echoed.
 */
class CredentialFuzzTest {

    static final long SEED = 20261128L;
    static final int PER_STYLE = 60_000;

    @ApiKeyRequired
    static class Protected {
        public String get() {
            return "";
        }
    }

    @Test
    void oneHundredTwentyThousandGeneratedCredentialsAreAllRefusedWith401() throws Exception {
        Map<String, Integer> reasons = new TreeMap<>();
        int total = run(Map.of(), "X-API-Key", "", reasons) + run(Map.of("apiauth.scheme", "Bearer"), "Authorization", "Bearer ", reasons);
        assertEquals(2 * PER_STYLE, total);
        assertTrue(reasons.keySet().containsAll(java.util.Set.of("missing", "malformed", "unknown")), reasons.toString());
        System.out.println("credential fuzz: " + total + " requests, 401 reasons " + reasons);
    }

    private int run(Map<String, String> settings, String header, String schemePrefix, Map<String, Integer> reasons) throws Exception {
        ApiAuthConfig config = ApiAuthConfig.from(k -> Optional.ofNullable(settings.get(k)));
        try (ApiKeyService service = ApiKeyService.builder(new MemoryBackend()).config(config).build()) {
            String[] valid = new String[8];
            for (int i = 0; i < valid.length; i++) {
                valid[i] = service.create(KeyRequest.of("fuzz", "owner-" + i)).plaintext();
            }
            ApiKeyFilter filter = new ApiKeyFilter(new Guard(config, service, new RequestKey()),
                    GuardRule.resolve(Protected.class, Protected.class.getMethod("get")), false);
            Random random = new Random(SEED ^ header.hashCode());
            CredentialGenerator generator = new CredentialGenerator(random, valid);
            for (int i = 0; i < PER_STYLE; i++) {
                String credential = generator.next(i);
                TestRequest request = new TestRequest();
                if (credential != null) {
                    request.header(header, schemePrefix + credential);
                }
                filter.filter(request);
                assertNotNull(request.aborted, () -> "let through: " + printable(credential));
                assertEquals(401, request.aborted.getStatus(), () -> "status for " + printable(credential));
                assertFalse(request.getSecurityContext().getUserPrincipal() != null, "no principal on a refusal");
                String body = String.valueOf(request.aborted.getEntity());
                if (credential != null && credential.length() >= 8) {
                    assertFalse(body.contains(credential), () -> "echoed: " + printable(credential));
                }
                int at = body.indexOf("\"reason\":\"");
                reasons.merge(body.substring(at + 10, body.indexOf('"', at + 10)), 1, Integer::sum);
            }
        }
        return PER_STYLE;
    }

    private static String printable(String s) {
        if (s == null) {
            return "(none)";
        }
        StringBuilder out = new StringBuilder();
        s.codePoints().limit(120).forEach(c -> out.append(c >= 0x20 && c < 0x7f ? String.valueOf((char) c) : String.format("\\u%04x", c)));
        return out + (s.length() > 120 ? "... (" + s.length() + " chars)" : "");
    }
}
