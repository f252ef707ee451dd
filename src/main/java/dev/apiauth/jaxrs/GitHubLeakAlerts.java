package dev.apiauth.jaxrs;

import dev.apiauth.ApiKey;
import dev.apiauth.ApiKeyService;
import dev.apiauth.internal.KeyCodec;
import dev.apiauth.internal.Secrets;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.logging.Logger;

/**
 * GitHub secret scanning's alerts for leaked keys (the partner program's alert endpoint): checks the ECDSA P-256
 * signature GitHub puts on the raw request body against GitHub's published public keys, then revokes each reported
 * token that is one of our keys and answers GitHub's expected list ({@code token_hash}, {@code token_type},
 * {@code label}). A request whose signature does not verify changes nothing. Tokens are never logged or echoed:
 * the answer names them by their SHA-256, as GitHub does.
 */
final class GitHubLeakAlerts {

    /** GitHub's public keys for secret scanning. */
    public static final String GITHUB_KEYS_URL = "https://api.github.com/meta/public_keys/secret_scanning";
    /** Largest alert body read (GitHub batches matches; each is a few hundred bytes). */
    public static final int MAX_BODY_BYTES = 1024 * 1024;
    static final int MAX_TOKEN_LENGTH = 1024;
    private static final Logger LOG = Logger.getLogger(GitHubLeakAlerts.class.getName());
    /** At most one load of GitHub's keys per this, whatever comes in (GitHub allows 60 unauthenticated calls an hour). */
    private static final long REFETCH_NANOS = Duration.ofMinutes(10).toNanos();
    /** Known keys are loaded again after this, to follow GitHub's rotation; the last good ones stay until then. */
    private static final long REFRESH_NANOS = Duration.ofHours(1).toNanos();

    /** The answer to one alert request. */
    record Answer(int status, String json) {
    }

    private final ApiKeyService service;
    private final String keysSource;
    private final LongSupplier nanoTime;
    private final HttpClient http;
    private volatile Map<String, PublicKey> keys = Map.of();
    private volatile long attemptedAt;
    private volatile boolean attempted;
    private volatile boolean loaded;
    private final java.util.concurrent.atomic.AtomicBoolean loading = new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * @param keysSource where GitHub's public keys come from: an {@code https://} URL (GitHub's,
     *                   {@link #GITHUB_KEYS_URL}, or a mirror) or a {@code file:} path holding the same JSON, for
     *                   networks that cannot reach GitHub's API
     */
    GitHubLeakAlerts(ApiKeyService service, String keysSource, LongSupplier nanoTime) {
        this.service = service;
        this.keysSource = keysSource;
        this.nanoTime = nanoTime;
        this.http = keysSource.startsWith("file:") ? null
                : HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).followRedirects(HttpClient.Redirect.NEVER).build();
        requireSoundEcdsa();
    }

    /**
     * Refuses to run on a JDK that accepts the all-zero ECDSA signature for any message and key (CVE-2022-21449,
     * JDK 15 to 17.0.2 and 18.0.0): there, anyone could forge GitHub's signature.
     */
    static void requireSoundEcdsa() {
        try {
            java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("EC");
            generator.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
            byte[] zero = {0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00}; // DER SEQUENCE { r = 0, s = 0 }
            if (verifies(generator.generateKeyPair().getPublic(), new byte[] {1}, Base64.getEncoder().encodeToString(zero))) {
                throw new IllegalStateException("this JDK accepts forged ECDSA signatures (CVE-2022-21449): update it before"
                        + " enabling " + dev.apiauth.ApiAuthConfig.GITHUB_ALERTS_ENABLED);
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK cannot verify ECDSA P-256 signatures: " + e, e);
        }
    }

    /** Checks the signature, then handles the alert; nothing is revoked unless the signature verifies. */
    Answer handle(byte[] body, String keyIdentifier, String signature) {
        if (keyIdentifier == null || keyIdentifier.isBlank() || signature == null || signature.isBlank()) {
            return problem(401, "The request carries no Github-Public-Key-Identifier and Github-Public-Key-Signature headers.");
        }
        PublicKey key = publicKey(keyIdentifier.strip());
        if (key == null) {
            return loaded ? problem(401, "The signing key is not one of GitHub's published secret-scanning keys.")
                    : problem(503, "GitHub's secret-scanning public keys cannot be loaded right now; retry.");
        }
        if (!verifies(key, body, signature.strip())) {
            return problem(401, "The signature does not verify; nothing was revoked.");
        }
        JsonArray alerts;
        try (JsonReader reader = Json.createReader(new StringReader(new String(body, StandardCharsets.UTF_8)))) {
            alerts = reader.readArray();
        } catch (JsonException | IllegalStateException e) {
            return problem(400, "The body is not a JSON array of alerts.");
        }
        for (JsonValue value : alerts) { // all checked before anything is revoked
            if (value.getValueType() != JsonValue.ValueType.OBJECT || string(value.asJsonObject(), "token") == null
                    || string(value.asJsonObject(), "type") == null) {
                return problem(400, "Each alert must be a JSON object with the string fields token and type.");
            }
        }
        JsonArrayBuilder answer = Json.createArrayBuilder();
        for (JsonValue value : alerts) {
            JsonObject alert = value.asJsonObject();
            String token = string(alert, "token");
            boolean ours = revokeIfOurs(token, string(alert, "url"), string(alert, "source"));
            answer.add(Json.createObjectBuilder().add("token_hash", sha256(token)).add("token_type", string(alert, "type"))
                    .add("label", ours ? "true_positive" : "false_positive"));
        }
        return new Answer(200, answer.build().toString());
    }

    /** Revokes the key if {@code token} is one of ours; whether it is. A store failure propagates (GitHub retries). */
    private boolean revokeIfOurs(String token, String url, String source) {
        if (token.length() > MAX_TOKEN_LENGTH || !KeyCodec.isWellFormed(token)) {
            return false;
        }
        if (service.isBootstrapKey(token)) {
            LOG.severe("The bootstrap admin key (" + dev.apiauth.ApiAuthConfig.BOOTSTRAP_ADMIN_KEY_HASH + ") was reported leaked by"
                    + " GitHub secret scanning" + (url == null ? "" : " at " + url) + ". It has no record and cannot be revoked:"
                    + " remove the setting and redeploy now, and revoke the admin keys created with it that you cannot vouch for");
            return true;
        }
        Optional<ApiKey> found = service.backend().getByHash(service.hash(token));
        if (found.isEmpty()) {
            return false;
        }
        ApiKey key = found.get();
        // always through revoke, also when the lookup says revoked (a near cache, or a cache entry written ahead of a
        // revocation that failed): it reads the record itself, and confirms one revoked already before answering
        try {
            service.actingAs(null, "github-secret-scanning", () -> service.revoke(key.id()));
        } catch (dev.apiauth.backend.UnknownKeyException deleted) {
            // found through a cache that had not seen its deletion yet: gone, so nothing to revoke
        }
        LOG.warning("API key " + key.id() + " (owner " + key.ownerId() + ", " + key.hint() + "...) was reported leaked by GitHub"
                + " secret scanning" + (url == null ? "" : " at " + url) + (source == null ? "" : " (" + source + ")")
                + (key.isRevoked() ? "; it was already revoked" : "; it is revoked"));
        return true;
    }

    private static String string(JsonObject object, String name) {
        JsonValue value = object.get(name);
        return value != null && value.getValueType() == JsonValue.ValueType.STRING ? object.getString(name) : null;
    }

    static boolean verifies(PublicKey key, byte[] body, String signature) {
        try {
            Signature verifier = Signature.getInstance("SHA256withECDSA");
            verifier.initVerify(key);
            verifier.update(body);
            return verifier.verify(Base64.getDecoder().decode(signature));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false; // not base64, not a DER signature, not an EC key
        }
    }

    /**
     * The key with this identifier. GitHub's keys are loaded at the first alert, again after an hour, and again when
     * an unknown identifier arrives (GitHub rotated its key), but never more than once in ten minutes, whatever the
     * outcome, and by one request at a time: the others go on with the keys already known. The last good keys are
     * kept through failed loads.
     */
    private PublicKey publicKey(String identifier) {
        long now = nanoTime.getAsLong();
        PublicKey key = keys.get(identifier);
        boolean due = !attempted || (key == null || now - attemptedAt >= REFRESH_NANOS) && now - attemptedAt >= REFETCH_NANOS;
        if (due && loading.compareAndSet(false, true)) {
            try {
                attemptedAt = now;
                attempted = true;
                keys = parseKeys(fetch());
                loaded = true;
            } catch (IOException | RuntimeException e) {
                LOG.warning("GitHub's secret-scanning public keys could not be loaded from " + Secrets.redact(keysSource)
                        + ": " + e + (loaded ? "; the keys loaded before stay in use" : "; alerts are answered 503 until they can")
                        + "; next attempt in 10 minutes at the earliest");
            } finally {
                loading.set(false);
            }
            key = keys.get(identifier);
        }
        return key;
    }

    private String fetch() throws IOException {
        if (http == null) {
            return Files.readString(Path.of(URI.create(keysSource)));
        }
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(keysSource)).timeout(Duration.ofSeconds(10))
                    .header("Accept", "application/json").build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IOException("HTTP " + response.statusCode());
            }
            return response.body();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** {@code {"public_keys": [{"key_identifier": "...", "key": "-----BEGIN PUBLIC KEY-----..."}]}}. */
    static Map<String, PublicKey> parseKeys(String json) {
        Map<String, PublicKey> parsed = new HashMap<>();
        try (JsonReader reader = Json.createReader(new StringReader(json))) {
            for (JsonValue entry : reader.readObject().getJsonArray("public_keys")) {
                JsonObject key = entry.asJsonObject();
                String pem = key.getString("key").replaceAll("-----(BEGIN|END) PUBLIC KEY-----", "").replaceAll("\\s", "");
                try {
                    PublicKey publicKey = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(pem)));
                    if (((java.security.interfaces.ECPublicKey) publicKey).getParams().getCurve().getField().getFieldSize() != 256) {
                        throw new IllegalArgumentException("public key " + key.getString("key_identifier") + " is not on P-256");
                    }
                    parsed.put(key.getString("key_identifier"), publicKey);
                } catch (GeneralSecurityException | IllegalArgumentException e) {
                    throw new IllegalArgumentException("public key " + key.getString("key_identifier") + " is not an EC public key", e);
                }
            }
        }
        if (parsed.isEmpty()) {
            throw new IllegalArgumentException("no public keys in the document");
        }
        return Map.copyOf(parsed);
    }

    static String sha256(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Answer problem(int status, String detail) {
        String title = status == 401 ? "Unauthorized" : status == 503 ? "Service unavailable" : "Bad request";
        return new Answer(status, Json.createObjectBuilder().add("type", "about:blank").add("title", title)
                .add("status", status).add("detail", detail).build().toString());
    }
}
