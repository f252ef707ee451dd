package dev.apiauth.jaxrs;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.core.Response;

/**
 * Guards one resource method; built by {@link ApiKeyFeature} at deployment with its rule already decided, so
 * a request costs one header read, one validation and, on success, one security context. On the way out it adds
 * the {@code RateLimit-Policy} and {@code RateLimit} fields when the request's key was counted against a limit.
 */
final class ApiKeyFilter implements ContainerRequestFilter, ContainerResponseFilter {

    private static final String HEADERS_ADDED = "dev.apiauth.rate-limit.headers";

    private final Guard guard;
    private final GuardRule rule;
    private final boolean management;

    ApiKeyFilter(Guard guard, GuardRule rule, boolean management) {
        this.guard = guard;
        this.rule = rule;
        this.management = management;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        Response refusal = guard.check(request, rule, management);
        if (refusal != null) {
            request.abortWith(refusal);
        }
    }

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        if (request.getProperty(Guard.COUNTED) instanceof Guard.Counted counted && counted.decision().allowed()
                && request.getProperty(HEADERS_ADDED) == null) {
            request.setProperty(HEADERS_ADDED, Boolean.TRUE); // once, also when a locator's filter runs too
            response.getHeaders().add(Problems.RATE_LIMIT_POLICY, Problems.policy(counted.limit()));
            response.getHeaders().add(Problems.RATE_LIMIT, Problems.state(counted.decision()));
        }
    }
}
