package dev.apiauth.jaxrs;

import dev.apiauth.ApiAuthConfig;
import dev.apiauth.ApiKeyService;
import dev.apiauth.ApiKeyValidator;
import dev.apiauth.cdi.CurrentApiKey;
import jakarta.enterprise.inject.spi.CDI;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;

/**
 * What every filter of an application shares, looked up once at deployment: the validator, where the key
 * is read from, the prepared refusals and the current request's key holder.
 */
final class Guard {

    final ApiAuthConfig config;
    final ApiKeyValidator validator;
    final Problems problems;
    final CurrentApiKey current;
    private final String header;
    private final String scheme;

    private Guard(ApiAuthConfig config, ApiKeyValidator validator, CurrentApiKey current) {
        this.config = config;
        this.validator = validator;
        this.current = current;
        this.problems = new Problems(config);
        this.scheme = config.scheme().orElse(null);
        this.header = scheme == null ? config.header() : HttpHeaders.AUTHORIZATION;
    }

    static Guard fromCdi() {
        CDI<Object> cdi;
        try {
            cdi = CDI.current();
        } catch (IllegalStateException e) {
            throw new IllegalStateException("jakarta-api-auth needs CDI: the application guards resources with"
                    + " @ApiKeyRequired but no CDI container is available; protected resources cannot be served", e);
        }
        return new Guard(cdi.select(ApiAuthConfig.class).get(), cdi.select(ApiKeyService.class).get().validator(),
                cdi.select(CurrentApiKey.class).get());
    }

    /** The key the client sent, or null when none (a different Authorization scheme counts as none). */
    String credential(ContainerRequestContext request) {
        String value = request.getHeaderString(header);
        if (scheme == null || value == null) {
            return value;
        }
        int length = scheme.length();
        if (value.length() > length && value.charAt(length) == ' ' && value.regionMatches(true, 0, scheme, 0, length)) {
            return value.substring(length + 1).strip();
        }
        return null;
    }
}
