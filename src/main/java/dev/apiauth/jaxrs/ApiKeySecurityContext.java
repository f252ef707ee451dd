package dev.apiauth.jaxrs;

import dev.apiauth.ApiKeyPrincipal;
import jakarta.ws.rs.core.SecurityContext;
import java.security.Principal;

/** The security context of a request authenticated by an API key: roles are the key's scopes. */
final class ApiKeySecurityContext implements SecurityContext {

    static final String SCHEME = "API_KEY";

    private final ApiKeyPrincipal principal;
    private final boolean secure;

    ApiKeySecurityContext(ApiKeyPrincipal principal, boolean secure) {
        this.principal = principal;
        this.secure = secure;
    }

    @Override
    public Principal getUserPrincipal() {
        return principal;
    }

    @Override
    public boolean isUserInRole(String role) {
        return principal.hasScope(role);
    }

    @Override
    public boolean isSecure() {
        return secure;
    }

    @Override
    public String getAuthenticationScheme() {
        return SCHEME;
    }
}
