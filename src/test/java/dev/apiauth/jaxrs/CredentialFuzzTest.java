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
import dev.apiauth.internal.KeyCodec;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Seeded fuzzing of the request path: generated credentials go through the real {@link ApiKeyFilter} (validator,
 * memory backend holding real keys, problem responses), in both header styles. Every one must be refused with
 * 401: never let through, never a 5xx, never an exception, never echoed.
 */
class CredentialFuzzTest {

    static final long SEED = 20261128L;
    static final int PER_STYLE = 60_000;
    static final int HEADER_LIMIT = 8192;
    private static final String BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

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
            ApiKeyFilter filter = new ApiKeyFilter(new Guard(config, service.validator(), new RequestKey()),
                    GuardRule.resolve(Protected.class, Protected.class.getMethod("get")), false);
            Random random = new Random(SEED ^ header.hashCode());
            Generator generator = new Generator(random, valid);
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

    /** The kinds of credential an attacker or a broken client sends. */
    static final class Generator {
        private final Random random;
        private final String[] valid;
        private final Supplier<String>[] kinds;

        @SuppressWarnings("unchecked")
        Generator(Random random, String[] valid) {
            this.random = random;
            this.valid = valid;
            this.kinds = new Supplier[] {
                this::randomLatin1, this::randomUnicode, this::controlCharacters, this::mutation, this::mutation,
                this::mutation, this::wrongPrefix, this::wellFormedUnknown, this::keyLengthJunk, this::truncatedOrExtended
            };
        }

        String next(int i) {
            if (i % 1000 == 0) {
                return i % 2000 == 0 ? null : "";
            }
            return kinds[random.nextInt(kinds.length)].get();
        }

        private String key() {
            return valid[random.nextInt(valid.length)];
        }

        private String randomLatin1() {
            int length = random.nextInt(random.nextBoolean() ? 80 : HEADER_LIMIT);
            char[] chars = new char[length];
            for (int i = 0; i < length; i++) {
                chars[i] = (char) random.nextInt(256);
            }
            return new String(chars);
        }

        private String randomUnicode() {
            StringBuilder out = new StringBuilder();
            int length = random.nextInt(120);
            for (int i = 0; i < length; i++) {
                int cp = random.nextInt(4) == 0 ? 0xD800 + random.nextInt(0x800) : random.nextInt(0x10FFFF);
                if (Character.isSupplementaryCodePoint(cp)) {
                    out.appendCodePoint(cp);
                } else {
                    out.append((char) cp);
                }
            }
            return out.toString();
        }

        private String controlCharacters() {
            StringBuilder out = new StringBuilder(key());
            for (int n = 1 + random.nextInt(3); n > 0; n--) {
                out.insert(random.nextInt(out.length() + 1), (char) (random.nextBoolean() ? random.nextInt(0x20) : 0x7f + random.nextInt(0x21)));
            }
            return out.toString();
        }

        /** One substitution, deletion, insertion, transposition or case flip of a valid key, never the key itself. */
        private String mutation() {
            String key = key();
            for (;;) {
                StringBuilder out = new StringBuilder(key);
                int at = random.nextInt(key.length());
                switch (random.nextInt(5)) {
                    case 0 -> out.setCharAt(at, random.nextBoolean() ? BASE62.charAt(random.nextInt(62)) : (char) random.nextInt(0x3000));
                    case 1 -> out.deleteCharAt(at);
                    case 2 -> out.insert(at, BASE62.charAt(random.nextInt(62)));
                    case 3 -> {
                        if (at + 1 < out.length()) {
                            char c = out.charAt(at);
                            out.setCharAt(at, out.charAt(at + 1));
                            out.setCharAt(at + 1, c);
                        }
                    }
                    default -> {
                        char c = out.charAt(at);
                        out.setCharAt(at, Character.isUpperCase(c) ? Character.toLowerCase(c) : Character.toUpperCase(c));
                    }
                }
                String mutated = out.toString();
                if (!mutated.strip().equals(key)) {
                    return mutated;
                }
            }
        }

        /** A valid key's secret and checksum under another prefix: a checksum mismatch. */
        private String wrongPrefix() {
            String key = key();
            String[] prefixes = {"sk_", "ghp_", "AK_", "ak-", "_", "ak__", "a_", "prod_live_"};
            return prefixes[random.nextInt(prefixes.length)] + key.substring(key.indexOf('_') + 1);
        }

        /** Keys with a correct checksum that were never issued (anyone can mint them): unknown. */
        private String wellFormedUnknown() {
            String[] prefixes = {"ak_", "ops_", "x1_", "abcdefghijklmnop_"};
            return new KeyCodec(prefixes[random.nextInt(prefixes.length)]).generate();
        }

        private String keyLengthJunk() {
            int length = key().length();
            StringBuilder out = new StringBuilder();
            for (int i = 0; i < length; i++) {
                out.append(random.nextBoolean() ? BASE62.charAt(random.nextInt(62)) : (char) (0x21 + random.nextInt(0x5e)));
            }
            return out.toString();
        }

        private String truncatedOrExtended() {
            String key = key();
            return random.nextBoolean() ? key.substring(0, random.nextInt(key.length()))
                    : key + key.substring(0, 1 + random.nextInt(key.length() - 1));
        }
    }
}
