package dev.apiauth.audit;

import java.time.Instant;
import java.util.UUID;

/**
 * A request the guard refused, fired as a CDI event when the application observes it: asynchronously to
 * {@code @ObservesAsync} observers, so it costs the refused request no observer's work; synchronously as well to
 * {@code @Observes} observers, on the request's thread, if the application chose that. Nothing is fired, and nothing
 * allocated, when no observer exists. Never holds the presented key or its hash.
 *
 * @param reason        the problem's {@code reason}: {@code missing}, {@code malformed}, {@code unknown},
 *                      {@code revoked}, {@code expired}, {@code insufficient-scope}, {@code rate-limited},
 *                      {@code backend-unavailable}
 * @param keyId         the key, when one was found ({@code revoked}, {@code expired}, {@code insufficient-scope},
 *                      {@code rate-limited}); else null
 * @param method        the HTTP method
 * @param path          the request path under the JAX-RS application
 * @param clientAddress the client's address as the server saw it (a proxy's, behind one), or null when unknown
 * @param at            when the request was refused
 */
public record RequestRefused(String reason, UUID keyId, String method, String path, String clientAddress, Instant at) {
}
