package dev.apiauth.internal;

import dev.apiauth.ApiKey;
import dev.apiauth.RateLimit;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * A record as one line of form-encoded text ({@code id=...&name=...&scopes=a+b&created=<epoch ms>...}): what
 * the Redis backend stores, and the metadata column of the JPA table. Readable in {@code redis-cli}, no JSON
 * library needed, and never anything but the record (no plaintext key exists in it).
 */
public final class RecordCodec {

    private static volatile long lastUnreadableWarning;

    private RecordCodec() {
    }

    public static String encode(ApiKey key) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("id", key.id().toString());
        fields.put("name", key.name());
        fields.put("owner", key.ownerId());
        fields.put("hash", key.keyHash());
        fields.put("hint", key.hint());
        fields.put("scopes", encodeScopes(key.scopes()));
        fields.put("created", millis(key.createdAt()));
        fields.put("expires", millis(key.expiresAt()));
        fields.put("used", millis(key.lastUsedAt()));
        fields.put("revoked", millis(key.revokedAt()));
        fields.put("version", Long.toString(key.version()));
        fields.put("meta", encodeMap(key.metadata()));
        if (key.rateLimit() != null) {
            fields.put("limit", key.rateLimit().toString());
        }
        return join(fields);
    }

    public static ApiKey decode(String text) {
        Map<String, String> f = decodeMap(text);
        return new ApiKey(UUID.fromString(f.get("id")), f.get("name"), f.get("owner"), f.get("hash"), f.get("hint"),
                decodeScopes(f.getOrDefault("scopes", "")), instant(f.get("created")), instant(f.get("expires")),
                instant(f.get("used")), instant(f.get("revoked")), decodeMap(f.get("meta")), rateLimit(f.get("limit")),
                Long.parseLong(f.get("version")));
    }

    /** Scopes sorted and space-separated (a scope never contains whitespace). */
    public static String encodeScopes(Set<String> scopes) {
        return String.join(" ", new TreeSet<>(scopes));
    }

    public static Set<String> decodeScopes(String text) {
        return text == null || text.isEmpty() ? Set.of() : Set.of(text.split(" "));
    }

    /** {@code k=v&k2=v2}, keys sorted, both sides URL-encoded. */
    public static String encodeMap(Map<String, String> values) {
        return join(new TreeMap<>(values));
    }

    public static Map<String, String> decodeMap(String text) {
        Map<String, String> values = new LinkedHashMap<>();
        if (text == null || text.isEmpty()) {
            return values;
        }
        for (String pair : text.split("&")) {
            int eq = pair.indexOf('=');
            values.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return values;
    }

    private static String join(Map<String, String> fields) {
        return fields.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    /** Absent in records written before rate limits existed. */
    private static RateLimit rateLimit(String text) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        try {
            return RateLimit.parse(text);
        } catch (IllegalArgumentException e) {
            return unreadable(text);
        }
    }

    /**
     * A stored limit this release cannot use (written by hand, or by a release that allowed other values): the key
     * works under the default limit instead of failing every request, and the operator is told which key to fix
     * (with {@code PATCH}, which reads the record fine).
     */
    private static RateLimit unreadable(String stored) {
        long now = System.nanoTime();
        if (lastUnreadableWarning != 0 && now - lastUnreadableWarning < 60_000_000_000L) {
            return null; // read at every request of that key: said at most once a minute
        }
        lastUnreadableWarning = now == 0 ? 1 : now;
        java.util.logging.Logger.getLogger(RecordCodec.class.getName()).warning("a stored API key record has a rate limit"
                + " this release cannot use (" + stored + "; expected " + RateLimit.RULE + "); the default"
                + " limit applies to that key until its limit is set again");
        return null;
    }

    /** The limit of the JPA columns: both null for none, a WARNING and none when the two do not make a limit. */
    public static RateLimit rateLimit(Integer requests, Long seconds) {
        if (requests == null && seconds == null) {
            return null;
        }
        try {
            return new RateLimit(requests, java.time.Duration.ofSeconds(seconds));
        } catch (RuntimeException e) { // one column null, or out of range
            return unreadable(requests + "/" + seconds + " s");
        }
    }

    private static String millis(Instant at) {
        return at == null ? "" : Long.toString(at.toEpochMilli());
    }

    private static Instant instant(String millis) {
        return millis == null || millis.isEmpty() ? null : Instant.ofEpochMilli(Long.parseLong(millis));
    }
}
