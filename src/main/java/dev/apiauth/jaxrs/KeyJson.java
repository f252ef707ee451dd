package dev.apiauth.jaxrs;

import dev.apiauth.ApiKey;
import dev.apiauth.GeneratedKey;
import dev.apiauth.KeyRequest;
import dev.apiauth.RateLimit;
import dev.apiauth.internal.ConfigReader;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.stream.JsonParsingException;
import java.io.StringReader;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * JSON of the management API. Parsing checks types and shapes only (a wrong one is a
 * {@link BadRequest} naming the field); the rules about values are {@link dev.apiauth.ApiKeyService}'s.
 * Records are written without their hash; the plaintext appears only in a created or rotated key.
 */
final class KeyJson {

    private static final Set<String> CREATE_FIELDS = Set.of("name", "ownerId", "scopes", "expiresAt", "metadata", "rateLimit");
    private static final Set<String> ROTATE_FIELDS = Set.of("gracePeriod");
    private static final Set<String> UPDATE_FIELDS = Set.of("rateLimit");
    private static final Set<String> RATE_LIMIT_FIELDS = Set.of("requests", "per");

    private KeyJson() {
    }

    static KeyRequest parseCreate(String body) {
        JsonObject json = object(body, CREATE_FIELDS);
        return new KeyRequest(string(json, "name", true), string(json, "ownerId", true), scopes(json),
                instant(json, "expiresAt"), metadata(json), rateLimit(json));
    }

    /** The new rate limit of a key ({@code PATCH}): an object, or null to remove the key's own limit. */
    static RateLimit parseUpdate(String body) {
        JsonObject json = object(body, UPDATE_FIELDS);
        if (!json.containsKey("rateLimit")) {
            throw new BadRequest("nothing to change; expected {\"rateLimit\": {\"requests\": 100, \"per\": \"PT1M\"}} or"
                    + " {\"rateLimit\": null}");
        }
        return rateLimit(json);
    }

    /** The grace period of a rotation; zero when the body is empty or has none. */
    static Duration parseRotate(String body) {
        if (body == null || body.isBlank()) {
            return Duration.ZERO;
        }
        String grace = string(object(body, ROTATE_FIELDS), "gracePeriod", false);
        if (grace == null) {
            return Duration.ZERO;
        }
        Duration parsed = ConfigReader.parseDuration(grace);
        if (parsed == null) {
            throw new BadRequest("gracePeriod: not a duration; expected ISO-8601 such as PT1H, or seconds");
        }
        return parsed;
    }

    static JsonObjectBuilder record(ApiKey key, Instant now) {
        JsonObjectBuilder json = Json.createObjectBuilder()
                .add("id", key.id().toString())
                .add("name", key.name())
                .add("ownerId", key.ownerId())
                .add("hint", key.hint());
        JsonArrayBuilder scopes = Json.createArrayBuilder();
        new TreeSet<>(key.scopes()).forEach(scopes::add);
        json.add("scopes", scopes)
                .add("createdAt", key.createdAt().toString());
        addInstant(json, "expiresAt", key.expiresAt());
        addInstant(json, "lastUsedAt", key.lastUsedAt());
        addInstant(json, "revokedAt", key.revokedAt());
        json.add("active", key.isActiveAt(now));
        JsonObjectBuilder metadata = Json.createObjectBuilder();
        key.metadata().forEach(metadata::add);
        addRateLimit(json, key.rateLimit());
        return json.add("metadata", metadata);
    }

    private static void addRateLimit(JsonObjectBuilder json, RateLimit limit) {
        if (limit == null) {
            json.addNull("rateLimit");
        } else {
            json.add("rateLimit", Json.createObjectBuilder().add("requests", limit.requests()).add("per", limit.per().toString()));
        }
    }

    /**
     * What a key may read about itself: no name, owner or metadata (the operator's), never the hash; its rate limit
     * is the one that applies to it (its own or the default).
     */
    static String self(ApiKey key, RateLimit limit, Instant now) {
        JsonObjectBuilder json = Json.createObjectBuilder().add("id", key.id().toString()).add("hint", key.hint());
        JsonArrayBuilder scopes = Json.createArrayBuilder();
        new TreeSet<>(key.scopes()).forEach(scopes::add);
        json.add("scopes", scopes).add("createdAt", key.createdAt().toString());
        addInstant(json, "expiresAt", key.expiresAt());
        addInstant(json, "lastUsedAt", key.lastUsedAt());
        addRateLimit(json, limit);
        return json.add("active", key.isActiveAt(now)).build().toString();
    }

    static String created(GeneratedKey key, Instant now) {
        return record(key.record(), now).add("key", key.plaintext()).build().toString();
    }

    static String page(List<ApiKey> keys, int total, int limit, int offset, Instant now) {
        JsonArrayBuilder items = Json.createArrayBuilder();
        keys.forEach(k -> items.add(record(k, now)));
        return Json.createObjectBuilder().add("items", items).add("total", total).add("limit", limit).add("offset", offset)
                .build().toString();
    }

    private static void addInstant(JsonObjectBuilder json, String field, Instant at) {
        if (at == null) {
            json.addNull(field);
        } else {
            json.add(field, at.toString());
        }
    }

    private static JsonObject object(String body, Set<String> fields) {
        if (body == null || body.isBlank()) {
            throw new BadRequest("the request body is empty; expected a JSON object");
        }
        JsonValue value;
        try (JsonReader reader = Json.createReader(new StringReader(body))) {
            value = reader.readValue();
        } catch (JsonParsingException e) {
            throw new BadRequest("the request body is not valid JSON (at line " + e.getLocation().getLineNumber()
                    + ", column " + e.getLocation().getColumnNumber() + ")");
        } catch (JsonException e) {
            throw new BadRequest("the request body is not valid JSON");
        } catch (StackOverflowError e) {
            throw new BadRequest("the request body is nested too deeply");
        }
        if (value.getValueType() != JsonValue.ValueType.OBJECT) {
            throw new BadRequest("the request body is a JSON " + value.getValueType().name().toLowerCase() + "; expected an object");
        }
        JsonObject json = value.asJsonObject();
        for (String field : json.keySet()) {
            if (!fields.contains(field)) {
                throw new BadRequest("unknown field (not echoed); expected only " + String.join(", ", new TreeSet<>(fields)));
            }
        }
        return json;
    }

    private static String string(JsonObject json, String field, boolean required) {
        JsonValue value = json.get(field);
        if (value == null || value.getValueType() == JsonValue.ValueType.NULL) {
            if (required) {
                throw new BadRequest(field + ": required");
            }
            return null;
        }
        if (value.getValueType() != JsonValue.ValueType.STRING) {
            throw new BadRequest(field + ": expected a string, got " + typeName(value));
        }
        return ((JsonString) value).getString();
    }

    private static Set<String> scopes(JsonObject json) {
        JsonValue value = json.get("scopes");
        if (value == null || value.getValueType() == JsonValue.ValueType.NULL) {
            return Set.of();
        }
        if (value.getValueType() != JsonValue.ValueType.ARRAY) {
            throw new BadRequest("scopes: expected an array of strings, got " + typeName(value));
        }
        Set<String> scopes = new LinkedHashSet<>();
        JsonArray array = value.asJsonArray();
        for (int i = 0; i < array.size(); i++) {
            JsonValue item = array.get(i);
            if (item.getValueType() != JsonValue.ValueType.STRING) {
                throw new BadRequest("scopes[" + i + "]: expected a string, got " + typeName(item));
            }
            scopes.add(((JsonString) item).getString());
        }
        return scopes;
    }

    private static Instant instant(JsonObject json, String field) {
        String text = string(json, field, false);
        if (text == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            throw new BadRequest(field + ": not an ISO-8601 date-time with offset, e.g. 2030-01-31T12:00:00Z");
        }
    }

    private static RateLimit rateLimit(JsonObject json) {
        JsonValue value = json.get("rateLimit");
        if (value == null || value.getValueType() == JsonValue.ValueType.NULL) {
            return null;
        }
        if (value.getValueType() != JsonValue.ValueType.OBJECT) {
            throw new BadRequest("rateLimit: expected an object such as {\"requests\": 100, \"per\": \"PT1M\"}, got " + typeName(value));
        }
        JsonObject limit = value.asJsonObject();
        for (String field : limit.keySet()) {
            if (!RATE_LIMIT_FIELDS.contains(field)) {
                throw new BadRequest("rateLimit: unknown field (not echoed); expected only per, requests");
            }
        }
        JsonValue requests = limit.get("requests");
        if (requests == null || requests.getValueType() != JsonValue.ValueType.NUMBER
                || !((jakarta.json.JsonNumber) requests).isIntegral()) {
            throw new BadRequest("rateLimit.requests: expected a whole number from 1 to " + RateLimit.MAX_REQUESTS);
        }
        long count;
        try {
            count = ((jakarta.json.JsonNumber) requests).longValueExact();
        } catch (ArithmeticException e) {
            count = -1;
        }
        JsonValue per = limit.get("per");
        Duration period = null;
        if (per != null && per.getValueType() == JsonValue.ValueType.STRING) {
            period = ConfigReader.parseDuration(((JsonString) per).getString());
        }
        if (period == null) {
            throw new BadRequest("rateLimit.per: expected an ISO-8601 duration such as PT1M, or whole seconds as a string");
        }
        try { // the ranges are RateLimit's; its messages name the field, never the value
            return new RateLimit((int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, count)), period);
        } catch (IllegalArgumentException e) {
            throw new BadRequest(e.getMessage());
        }
    }

    private static Map<String, String> metadata(JsonObject json) {
        JsonValue value = json.get("metadata");
        if (value == null || value.getValueType() == JsonValue.ValueType.NULL) {
            return Map.of();
        }
        if (value.getValueType() != JsonValue.ValueType.OBJECT) {
            throw new BadRequest("metadata: expected an object of strings, got " + typeName(value));
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<String, JsonValue> entry : value.asJsonObject().entrySet()) {
            if (entry.getValue().getValueType() != JsonValue.ValueType.STRING) {
                throw new BadRequest("metadata: every value must be a string, got " + typeName(entry.getValue()));
            }
            metadata.put(entry.getKey(), ((JsonString) entry.getValue()).getString());
        }
        return metadata;
    }

    private static String typeName(JsonValue value) {
        return switch (value.getValueType()) {
            case TRUE, FALSE -> "a boolean";
            case NUMBER -> "a number";
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case STRING -> "a string";
            case NULL -> "null";
        };
    }

    /** A request the management API refuses with 400; the message names the field. */
    static final class BadRequest extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BadRequest(String message) {
            super(message, null, false, false);
        }
    }
}
