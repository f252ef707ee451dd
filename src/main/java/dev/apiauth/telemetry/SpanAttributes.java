package dev.apiauth.telemetry;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import java.util.UUID;

/**
 * Puts the guard's decision on the request's current span (the server span MicroProfile Telemetry opened):
 * {@code apiauth.outcome}, and when known {@code apiauth.key_id} and {@code apiauth.owner_id}. Never the key or its
 * hash. Only this class refers to the OpenTelemetry API; the guard uses it only where the API is present, and a span
 * that is not recording (telemetry off) costs one check.
 */
public final class SpanAttributes {

    static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("apiauth.outcome");
    static final AttributeKey<String> KEY_ID = AttributeKey.stringKey("apiauth.key_id");
    static final AttributeKey<String> OWNER_ID = AttributeKey.stringKey("apiauth.owner_id");

    private SpanAttributes() {
    }

    public static void record(String outcome, UUID keyId, String ownerId) {
        Span span = Span.current();
        if (!span.isRecording()) {
            return;
        }
        span.setAttribute(OUTCOME, outcome);
        if (keyId != null) {
            span.setAttribute(KEY_ID, keyId.toString());
        }
        if (ownerId != null) {
            span.setAttribute(OWNER_ID, ownerId);
        }
    }
}
