package dev.apiauth.jaxrs;

import dev.apiauth.ApiAuthConfig;
import dev.apiauth.ApiAuthMetrics;
import dev.apiauth.ApiKey;
import dev.apiauth.ApiKeyPrincipal;
import dev.apiauth.ApiKeyService;
import dev.apiauth.ApiKeyValidator;
import dev.apiauth.RateLimit;
import dev.apiauth.RateLimiter;
import dev.apiauth.ScopeRequirement;
import dev.apiauth.ValidationResult;
import dev.apiauth.ValidationResult.Outcome;
import jakarta.enterprise.context.ContextNotActiveException;
import jakarta.enterprise.inject.spi.CDI;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What every check of an application shares, looked up once at deployment: the validator, where the key is
 * read from, the prepared refusals and the current request's key holder. {@link #check} is the one place a
 * request is authenticated, for resource methods, sub-resource locators and the management API alike.
 */
final class Guard {

    private static final Logger LOG = Logger.getLogger(Guard.class.getName());

    /** The request property holding the request's {@link Counted} once its key has been counted. */
    static final String COUNTED = "dev.apiauth.rate-limit";
    /** Set once the request's outcome was reported to the metrics (a locator and its method are one request). */
    private static final String METERED = "dev.apiauth.metered";

    final ApiAuthConfig config;
    final ApiKeyService service;
    final ApiKeyValidator validator;
    final Problems problems;
    private final RequestKey current;
    private final RefusalEvents refusals;
    private final ApiAuthMetrics metrics;
    /** Whether the OpenTelemetry API is here (MP Telemetry): then each decision is put on the request's span. */
    private static volatile boolean tracing = dev.apiauth.cdi.ApiAuthExtension.present("io.opentelemetry.api.trace.Span");
    private final String header;
    private final String scheme;

    Guard(ApiAuthConfig config, ApiKeyService service, RequestKey current) {
        this(config, service, current, null);
    }

    Guard(ApiAuthConfig config, ApiKeyService service, RequestKey current, RefusalEvents refusals) {
        this.refusals = refusals;
        this.metrics = service.metrics();
        this.config = config;
        this.service = service;
        this.validator = service.validator();
        this.current = current;
        this.problems = new Problems(config);
        this.scheme = config.scheme().orElse(null);
        this.header = scheme == null ? config.header() : HttpHeaders.AUTHORIZATION;
    }

    static Guard fromCdi() {
        return fromCdi(true);
    }

    /** @param refusalEvents whether this guard fires {@code RequestRefused} (the management resource's own check does not) */
    static Guard fromCdi(boolean refusalEvents) {
        CDI<Object> cdi;
        try {
            cdi = CDI.current();
        } catch (IllegalStateException e) {
            throw new IllegalStateException("jakarta-api-auth needs CDI: the application guards resources with"
                    + " @ApiKeyRequired but no CDI container is available; protected resources cannot be served", e);
        }
        return new Guard(cdi.select(ApiAuthConfig.class).get(), cdi.select(ApiKeyService.class).get(),
                cdi.select(RequestKey.class).get(), refusalEvents ? RefusalEvents.of(cdi.getBeanManager()) : null);
    }

    /**
     * Authenticates {@code request} for {@code rule}: on success the request's {@code SecurityContext} and the
     * injectable {@link ApiKey} hold the key and null is returned; otherwise the refusal to send.
     *
     * @param management whether this is the management API, the only place the bootstrap admin key is accepted
     */
    Response check(ContainerRequestContext request, GuardRule rule, boolean management) {
        String credential = credential(request.getHeaderString(header));
        ValidationResult result = management
                ? validator.validateManagement(credential, rule.required)
                : validator.validate(credential, rule.required);
        if (!result.isValid()) {
            return refuse(request, result.outcome(), result.keyId(), result.ownerId());
        }
        ApiKey key = result.key();
        if (!rule.admits(key.scopes())) {
            return refuse(request, Outcome.INSUFFICIENT_SCOPE, key.id(), key.ownerId());
        }
        RateLimit limit = service.rateLimitOf(key);
        if (limit != null && request.getProperty(COUNTED) == null) { // a locator and its sub-resource method are one request
            RateLimiter.Decision decision = service.acquire(key);
            if (decision != null) {
                request.setProperty(COUNTED, new Counted(limit, decision));
                if (!decision.allowed()) {
                    if (refusals != null) {
                        refusals.fire(request, Outcome.RATE_LIMITED, key.id());
                    }
                    meter(request, Outcome.RATE_LIMITED);
                    trace(Outcome.RATE_LIMITED, key.id(), key.ownerId());
                    if (LOG.isLoggable(Level.FINE)) {
                        LOG.fine("refused " + request.getMethod() + " /" + request.getUriInfo().getPath() + ": key " + key.id()
                                + " is over its rate limit " + limit);
                    }
                    return problems.rateLimited(limit, decision);
                }
            }
        }
        meter(request, Outcome.VALID);
        trace(Outcome.VALID, key.id(), key.ownerId());
        request.setSecurityContext(new ApiKeySecurityContext(new ApiKeyPrincipal(key), request.getSecurityContext().isSecure()));
        try {
            current.set(key);
        } catch (ContextNotActiveException e) {
            // no CDI request context on this thread: the key stays reachable through the SecurityContext
        }
        return null;
    }

    /** The request's key checked as anywhere outside the management API (the bootstrap key is not accepted). */
    ValidationResult authenticate(HttpHeaders headers) {
        return validator.validate(credential(headers.getHeaderString(header)), ScopeRequirement.ANY_KEY);
    }

    /**
     * The management API's own check, independent of any filter: the caller's key when it holds the management scope,
     * else the refusal to send.
     */
    Caller checkManagement(HttpHeaders headers, GuardRule rule) {
        ValidationResult result = validator.validateManagement(credential(headers.getHeaderString(header)), rule.required);
        if (!result.isValid()) {
            return new Caller(null, problems.refuse(result.outcome()));
        }
        return rule.admits(result.key().scopes()) ? new Caller(result.key(), null)
                : new Caller(null, problems.refuse(Outcome.INSUFFICIENT_SCOPE));
    }

    /** Who called the management API, or the refusal. */
    record Caller(ApiKey key, Response refusal) {
    }

    /**
     * Counts the request's outcome once; a request a locator admitted and its method then refused counts under the
     * refusal as well (as its {@code RequestRefused} event says), never twice under the same outcome.
     */
    private void meter(ContainerRequestContext request, Outcome outcome) {
        if (!metrics.enabled()) {
            return;
        }
        Object metered = request.getProperty(METERED);
        if (metered == null || metered != outcome && outcome != Outcome.VALID) {
            request.setProperty(METERED, outcome);
            metrics.outcome(outcome);
        }
    }

    /** The problem reasons by outcome, made once: {@code insufficient-scope}. */
    private static final String[] REASONS = java.util.Arrays.stream(Outcome.values())
            .map(Outcome::reason).toArray(String[]::new);

    private static void trace(Outcome outcome, java.util.UUID keyId, String ownerId) {
        if (tracing) {
            try {
                dev.apiauth.telemetry.SpanAttributes.record(REASONS[outcome.ordinal()], keyId, ownerId);
            } catch (LinkageError e) {
                tracing = false; // the API is not usable from here after all: stop trying, say so once
                LOG.log(Level.INFO, "OpenTelemetry cannot be used from this library's class loader; no span attributes", e);
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "could not put the decision on the span", e); // telemetry never fails a request
            }
        }
    }

    /** What counting a request's key found, kept for the response's {@code RateLimit} fields. */
    record Counted(RateLimit limit, RateLimiter.Decision decision) {
    }

    private Response refuse(ContainerRequestContext request, Outcome outcome, java.util.UUID keyId, String ownerId) {
        if (refusals != null) {
            refusals.fire(request, outcome, keyId);
        }
        meter(request, outcome);
        trace(outcome, keyId, ownerId);
        if (LOG.isLoggable(Level.FINE)) {
            LOG.fine("refused " + request.getMethod() + " /" + request.getUriInfo().getPath() + ": " + outcome);
        }
        return problems.refuse(outcome);
    }

    /**
     * The key the client sent, or null when none (a different Authorization scheme counts as none). After the
     * scheme only spaces are skipped (RFC 9110 {@code 1*SP}), and only spaces and tabs are trimmed at the end:
     * control characters around a key make it malformed, as anywhere else.
     */
    String credential(String value) {
        if (scheme == null || value == null) {
            return value;
        }
        int length = scheme.length();
        if (value.length() <= length || value.charAt(length) != ' ' || !value.regionMatches(true, 0, scheme, 0, length)) {
            return null;
        }
        int start = length + 1;
        while (start < value.length() && value.charAt(start) == ' ') {
            start++;
        }
        int end = value.length();
        while (end > start && (value.charAt(end - 1) == ' ' || value.charAt(end - 1) == '\t')) {
            end--;
        }
        return value.substring(start, end);
    }
}
