package dev.apiauth.jaxrs;

import dev.apiauth.ApiKey;
import dev.apiauth.ApiKeyPrincipal;
import dev.apiauth.ScopeRequirement;
import dev.apiauth.ValidationResult;
import dev.apiauth.ValidationResult.Outcome;
import jakarta.enterprise.context.ContextNotActiveException;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Guards one resource method; built by {@link ApiKeyFeature} at deployment with its requirement already
 * decided, so a request costs one header read, one validation and, on success, one security context.
 */
final class ApiKeyFilter implements ContainerRequestFilter {

    private static final Logger LOG = Logger.getLogger(ApiKeyFilter.class.getName());

    private final Guard guard;
    private final ScopeRequirement required;
    /** From {@code @RolesAllowed}: the key needs one of these scopes; null when not restricted. */
    private final ScopeRequirement roles;
    /** From {@code @DenyAll}: no key gets through. */
    private final boolean denyAll;

    ApiKeyFilter(Guard guard, ScopeRequirement required, ScopeRequirement roles, boolean denyAll) {
        this.guard = guard;
        this.required = required;
        this.roles = roles;
        this.denyAll = denyAll;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        ValidationResult result = guard.validator.validate(guard.credential(request), required);
        if (!result.isValid()) {
            refuse(request, result.outcome());
            return;
        }
        ApiKey key = result.key();
        if (denyAll || (roles != null && !roles.isSatisfiedBy(key.scopes()))) {
            refuse(request, Outcome.INSUFFICIENT_SCOPE);
            return;
        }
        request.setSecurityContext(new ApiKeySecurityContext(new ApiKeyPrincipal(key), request.getSecurityContext().isSecure()));
        try {
            guard.current.set(key);
        } catch (ContextNotActiveException e) {
            // no CDI request context on this thread: the key stays reachable through the SecurityContext
        }
    }

    private void refuse(ContainerRequestContext request, Outcome outcome) {
        if (LOG.isLoggable(Level.FINE)) {
            LOG.fine("refused " + request.getMethod() + " /" + request.getUriInfo().getPath() + ": " + outcome);
        }
        request.abortWith(guard.problems.refuse(outcome));
    }
}
