package dev.apiauth.jaxrs;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.Response;

/**
 * Guards one resource method; built by {@link ApiKeyFeature} at deployment with its rule already decided, so
 * a request costs one header read, one validation and, on success, one security context.
 */
final class ApiKeyFilter implements ContainerRequestFilter {

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
}
