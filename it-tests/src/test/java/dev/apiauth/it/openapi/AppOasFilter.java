package dev.apiauth.it.openapi;

import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;

/**
 * An application's own OpenAPI filter, named in apiauth.openapi.filter: it must run after the library's (it sees the
 * library's security scheme), see the application's operations and the management operations the library adds, and be
 * able to leave one out (here: the management API's delete).
 */
public class AppOasFilter implements OASFilter {

    private int operations;
    private boolean sawManagement;

    @Override
    public Operation filterOperation(Operation operation) {
        operations++;
        if ("createApiKey".equals(operation.getOperationId())) {
            sawManagement = true;
        }
        return "deleteApiKey".equals(operation.getOperationId()) ? null : operation;
    }

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        boolean sawScheme = openAPI.getComponents() != null && openAPI.getComponents().getSecuritySchemes() != null
                && openAPI.getComponents().getSecuritySchemes().containsKey("apiKey");
        openAPI.getInfo().setTitle("composed: scheme " + (sawScheme ? "seen" : "missing") + ", operations " + (operations > 0 ? "seen" : "missing")
                + ", management " + (sawManagement ? "seen" : "missing"));
    }
}
