package dev.apiauth.jaxrs;

import dev.apiauth.ApiAuthConfig;
import dev.apiauth.RateLimit;
import dev.apiauth.RateLimiter;
import dev.apiauth.ValidationResult.Outcome;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.util.EnumMap;
import java.util.Map;

/**
 * Every refusal the library sends, as RFC 9457 {@code application/problem+json}: the mapping from a
 * validation {@link Outcome} to a status lives here and nowhere else. Bodies and challenges are built once
 * at deployment; none of them ever contains the presented key or the key's scopes.
 */
final class Problems {

    static final String MEDIA_TYPE = "application/problem+json";
    static final String RETRY_AFTER_SECONDS = "5";
    private static final String REALM = "api";

    private final Map<Outcome, Refusal> refusals = new EnumMap<>(Outcome.class);

    Problems(ApiAuthConfig config) {
        String scheme = config.scheme().orElse(null);
        String where = scheme == null
                ? "the " + config.header() + " header"
                : "the Authorization header as '" + scheme + " <key>'";
        add(config, Outcome.MISSING, 401, "missing-key", "API key required", "Send an API key in " + where + ".");
        add(config, Outcome.MALFORMED, 401, "malformed-key", "Malformed API key",
                "The credential in " + where + " is not an API key of this service (wrong length, characters or checksum).");
        add(config, Outcome.UNKNOWN, 401, "unknown-key", "Unknown API key", "No such API key exists.");
        add(config, Outcome.REVOKED, 401, "revoked-key", "Revoked API key", "This API key has been revoked.");
        add(config, Outcome.EXPIRED, 401, "expired-key", "Expired API key", "This API key has expired.");
        add(config, Outcome.INSUFFICIENT_SCOPE, 403, "insufficient-scope", "Insufficient scope",
                "This API key does not have a scope this endpoint requires.");
        add(config, Outcome.RATE_LIMITED, 429, "rate-limited", "Rate limit exceeded",
                "This API key has used up its rate limit; retry after the time in the Retry-After header.");
        add(config, Outcome.BACKEND_UNAVAILABLE, 503, "backend-unavailable", "Key storage unavailable",
                "API keys cannot be checked right now; retry shortly.");
    }

    /** The response refusing a request for {@code outcome}. */
    Response refuse(Outcome outcome) {
        Refusal refusal = refusals.get(outcome);
        Response.ResponseBuilder response = Response.status(refusal.status).type(MEDIA_TYPE).entity(refusal.body);
        if (refusal.challenge != null) {
            response.header(HttpHeaders.WWW_AUTHENTICATE, refusal.challenge);
        }
        if (refusal.status == 503) {
            response.header(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS);
        }
        return response.build();
    }

    /**
     * The refusal of a key over its limit: {@code 429} with {@code Retry-After} and the {@code RateLimit-Policy} and
     * {@code RateLimit} fields of draft-ietf-httpapi-ratelimit-headers-10.
     */
    Response rateLimited(RateLimit limit, RateLimiter.Decision decision) {
        Refusal refusal = refusals.get(Outcome.RATE_LIMITED);
        return Response.status(429).type(MEDIA_TYPE).entity(refusal.body)
                .header(HttpHeaders.RETRY_AFTER, Long.toString(Math.max(1, seconds(decision.retryAfterMillis()))))
                .header(RATE_LIMIT_POLICY, policy(limit))
                .header(RATE_LIMIT, state(decision))
                .build();
    }

    static final String RATE_LIMIT_POLICY = "RateLimit-Policy";
    static final String RATE_LIMIT = "RateLimit";
    private static final String POLICY_NAME = "\"apikey\"";

    /** {@code "apikey";q=100;w=60}: the key's quota and its window in seconds. */
    static String policy(RateLimit limit) {
        return POLICY_NAME + ";q=" + limit.requests() + ";w=" + limit.per().toSeconds();
    }

    /** {@code "apikey";r=42;t=12}: requests left, and seconds until the quota is whole again. */
    static String state(RateLimiter.Decision decision) {
        return POLICY_NAME + ";r=" + decision.remaining() + ";t=" + seconds(decision.resetMillis());
    }

    private static long seconds(long millis) {
        return (millis + 999) / 1000;
    }

    /** A problem response of the management API. */
    static Response of(int status, String type, String title, String detail) {
        Response.ResponseBuilder response = Response.status(status).type(MEDIA_TYPE).entity(body(status, type, title, detail, null));
        if (status == 503) {
            response.header(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS);
        }
        return response.build();
    }

    private void add(ApiAuthConfig config, Outcome outcome, int status, String type, String title, String detail) {
        String reason = outcome.reason();
        refusals.put(outcome, new Refusal(status, body(status, type, title, detail, reason), challenge(config, outcome, detail)));
    }

    private static String challenge(ApiAuthConfig config, Outcome outcome, String detail) {
        String scheme = config.scheme().orElse(null);
        if (scheme == null) {
            return outcome == Outcome.INSUFFICIENT_SCOPE || outcome == Outcome.BACKEND_UNAVAILABLE || outcome == Outcome.RATE_LIMITED
                    ? null : "ApiKey realm=\"" + REALM + "\", header=\"" + config.header() + "\"";
        }
        switch (outcome) {
            case MISSING:
                return scheme + " realm=\"" + REALM + "\"";
            case INSUFFICIENT_SCOPE:
                return scheme + " realm=\"" + REALM + "\", error=\"insufficient_scope\"";
            case BACKEND_UNAVAILABLE:
            case RATE_LIMITED:
                return null;
            default:
                return scheme + " realm=\"" + REALM + "\", error=\"invalid_token\", error_description=\"" + detail.replace("\"", "'") + "\"";
        }
    }

    static String body(int status, String type, String title, String detail, String reason) {
        StringBuilder json = new StringBuilder(200)
                .append("{\"type\":\"urn:apiauth:problem:").append(type)
                .append("\",\"title\":").append(quote(title))
                .append(",\"status\":").append(status)
                .append(",\"detail\":").append(quote(detail));
        if (reason != null) {
            json.append(",\"reason\":\"").append(reason).append('"');
        }
        return json.append('}').toString();
    }

    /** A JSON string literal. */
    static String quote(String text) {
        StringBuilder out = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    private record Refusal(int status, String body, String challenge) {
    }
}
