package dev.apiauth.openapi;

import static dev.apiauth.openapi.ApiKeyOpenApiFilter.string;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.Paths;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.parameters.Parameter;

/**
 * The management API's operations for the OpenAPI document (MicroProfile OpenAPI implementations do not scan library
 * jars, and the API is mounted programmatically). {@link #OPERATIONS} lists them; a unit test keeps it equal to
 * {@code ManagementResource}'s JAX-RS methods.
 */
final class Management {

    /** One operation: HTTP method, path below the management path, operationId, summary, body schema, success. */
    record Op(String httpMethod, String path, String operationId, String summary, String body, String status, String result) {
    }

    static final List<Op> OPERATIONS = List.of(
            new Op("POST", "", "createApiKey", "Create a key; the response is the only time its plaintext is shown",
                    "ApiKeyRequest", "201", "ApiKeyCreated"),
            new Op("GET", "", "listApiKeys", "List one owner's keys", null, "200", "ApiKeyPage"),
            new Op("GET", "/self", "getOwnApiKey", "The calling key's own record (any valid key may call it)", null, "200", "ApiKeySelf"),
            new Op("GET", "/{id}", "getApiKey", "One key's record", null, "200", "ApiKeyRecord"),
            new Op("PATCH", "/{id}", "updateApiKey", "Change a key's rate limit ({\"rateLimit\": null} removes it)",
                    "ApiKeyUpdate", "200", "ApiKeyRecord"),
            new Op("POST", "/{id}/revoke", "revokeApiKey", "Revoke a key, at once and for good", null, "204", null),
            new Op("POST", "/{id}/rotate", "rotateApiKey", "Issue a successor; the old key is revoked at once or after the grace period",
                    "ApiKeyRotation", "201", "ApiKeyCreated"),
            new Op("DELETE", "/{id}", "deleteApiKey", "Delete a key's record", null, "204", null));

    private Management() {
    }

    /** Adds the operations under {@code base}, each through {@code next} (the application's filter) when there is one. */
    static void addTo(Paths paths, String base, String scope, OASFilter next) {
        for (Op op : OPERATIONS) {
            String path = base + op.path();
            Operation operation = OASFactory.createOperation().operationId(op.operationId()).summary(op.summary())
                    .addTag("API keys").responses(OASFactory.createAPIResponses());
            if (op.path().contains("{id}")) {
                operation.addParameter(OASFactory.createParameter().name("id").in(Parameter.In.PATH).required(true)
                        .schema(OASFactory.createSchema().type(Schema.SchemaType.STRING).format("uuid")));
            }
            if (op.operationId().equals("listApiKeys")) {
                operation.addParameter(OASFactory.createParameter().name("ownerId").in(Parameter.In.QUERY).required(true)
                        .description("The owner whose keys are listed").schema(OASFactory.createSchema().type(Schema.SchemaType.STRING)));
                query(operation, "limit", "At most this many (1..500, default 50)", Schema.SchemaType.INTEGER);
                query(operation, "offset", "Skip this many", Schema.SchemaType.INTEGER);
                query(operation, "expiringBefore", "Only keys that expire before this instant (ISO-8601)", null);
                query(operation, "unusedSince", "Only keys not used since this instant (ISO-8601)", null);
            }
            if (op.body() != null) {
                operation.requestBody(OASFactory.createRequestBody().required(!op.body().equals("ApiKeyRotation"))
                        .content(OASFactory.createContent().addMediaType("application/json",
                                OASFactory.createMediaType().schema(OASFactory.createSchema().ref(op.body())))));
            }
            org.eclipse.microprofile.openapi.models.responses.APIResponse success = op.result() == null
                    ? OASFactory.createAPIResponse().description("Done")
                    : OASFactory.createAPIResponse().description("OK").content(OASFactory.createContent().addMediaType("application/json",
                            OASFactory.createMediaType().schema(OASFactory.createSchema().ref(op.result()))));
            if (op.status().equals("201")) {
                success.addHeader("Location", OASFactory.createHeader().description("The new key's record")
                        .schema(OASFactory.createSchema().type(Schema.SchemaType.STRING).format("uri")));
            }
            operation.getResponses().addAPIResponse(op.status(), success);
            if (op.body() != null || op.operationId().equals("listApiKeys")) {
                operation.getResponses().addAPIResponse("400", problem("A field or parameter is invalid (named in the detail)"));
            }
            if (op.path().contains("{id}")) {
                operation.getResponses().addAPIResponse("404", problem("No key with this id"));
            }
            if (op.operationId().equals("createApiKey") || op.operationId().equals("rotateApiKey")) {
                operation.getResponses().addAPIResponse("409", problem("The owner has the most active keys allowed, or the key changed meanwhile"));
                operation.getResponses().addAPIResponse("413", problem("The body is larger than 64 KiB"));
            }
            ApiKeyOpenApiFilter.protect(operation, List.of(op.operationId().equals("getOwnApiKey") ? Set.of() : Set.of(scope)), true);
            if (op.operationId().equals("updateApiKey")) {
                operation.getResponses().addAPIResponse("409", problem("The key changed meanwhile; read it again"));
                operation.getResponses().addAPIResponse("413", problem("The body is larger than 64 KiB"));
            }
            if (next != null) {
                operation = next.filterOperation(operation);
                if (operation == null) {
                    continue; // the application's filter leaves it out
                }
            }
            PathItem item = paths.getPathItem(path);
            if (item == null) {
                item = OASFactory.createPathItem();
                paths.addPathItem(path, item);
            }
            item.setOperation(PathItem.HttpMethod.valueOf(op.httpMethod()), operation);
        }
    }

    private static void query(Operation operation, String name, String description, Schema.SchemaType type) {
        operation.addParameter(OASFactory.createParameter().name(name).in(Parameter.In.QUERY).description(description)
                .schema(OASFactory.createSchema().type(type == null ? Schema.SchemaType.STRING : type)));
    }

    private static org.eclipse.microprofile.openapi.models.responses.APIResponse problem(String description) {
        return OASFactory.createAPIResponse().description(description).content(ApiKeyOpenApiFilter.problemContent());
    }

    static Map<String, Schema> schemas() {
        Map<String, Schema> schemas = new LinkedHashMap<>();
        Map<String, Schema> limit = new LinkedHashMap<>();
        limit.put("requests", OASFactory.createSchema().type(Schema.SchemaType.INTEGER).minimum(BigDecimal.ONE).maximum(BigDecimal.valueOf(1_000_000)));
        limit.put("per", string("ISO-8601 period of whole seconds, PT1S to P1D, e.g. PT1M"));
        Schema rateLimit = object(limit, "requests", "per")
                .description("At most `requests` per `per`, as a token bucket").nullable(true);
        Schema scopes = OASFactory.createSchema().type(Schema.SchemaType.ARRAY).items(string("a scope"));
        Schema metadata = OASFactory.createSchema().type(Schema.SchemaType.OBJECT).additionalPropertiesSchema(string("a value"));
        Schema instant = string("ISO-8601 instant; null when not set").format("date-time").nullable(true);

        Map<String, Schema> request = new LinkedHashMap<>();
        request.put("name", string("What the key is for"));
        request.put("ownerId", string("Who the key belongs to (no surrounding whitespace)"));
        request.put("scopes", scopes);
        request.put("expiresAt", instant);
        request.put("metadata", metadata);
        request.put("rateLimit", rateLimit);
        schemas.put("ApiKeyRequest", object(request, "name", "ownerId"));
        schemas.put("ApiKeyUpdate", object(Map.of("rateLimit", rateLimit)));
        schemas.put("ApiKeyRotation", object(Map.of("gracePeriod", string("ISO-8601 duration the old key stays valid, e.g. PT1H"))));

        Map<String, Schema> record = new LinkedHashMap<>();
        record.put("id", string("The key's id").format("uuid"));
        record.put("name", string("What the key is for"));
        record.put("ownerId", string("Who the key belongs to"));
        record.put("hint", string("The key's prefix and last characters, to recognise it; never the key"));
        record.put("scopes", scopes);
        record.put("createdAt", string("ISO-8601 instant").format("date-time"));
        record.put("expiresAt", instant);
        record.put("lastUsedAt", instant);
        record.put("revokedAt", instant);
        record.put("active", OASFactory.createSchema().type(Schema.SchemaType.BOOLEAN));
        record.put("metadata", metadata);
        record.put("rateLimit", rateLimit);
        schemas.put("ApiKeyRecord", object(record, "id", "name", "ownerId", "hint", "scopes", "createdAt", "active"));
        Map<String, Schema> created = new LinkedHashMap<>(record);
        created.put("key", string("The plaintext key: shown once, store it now"));
        schemas.put("ApiKeyCreated", object(created, "id", "key"));
        Map<String, Schema> self = new LinkedHashMap<>();
        for (String field : List.of("id", "hint", "scopes", "createdAt", "expiresAt", "lastUsedAt", "active", "rateLimit")) {
            self.put(field, record.get(field));
        }
        schemas.put("ApiKeySelf", object(self, "id", "hint", "scopes", "active"));
        Map<String, Schema> page = new LinkedHashMap<>();
        page.put("items", OASFactory.createSchema().type(Schema.SchemaType.ARRAY).items(OASFactory.createSchema().ref("ApiKeyRecord")));
        page.put("total", OASFactory.createSchema().type(Schema.SchemaType.INTEGER));
        page.put("limit", OASFactory.createSchema().type(Schema.SchemaType.INTEGER));
        page.put("offset", OASFactory.createSchema().type(Schema.SchemaType.INTEGER));
        schemas.put("ApiKeyPage", object(page, "items", "total"));
        return schemas;
    }

    private static Schema object(Map<String, Schema> properties, String... required) {
        Schema schema = OASFactory.createSchema().type(Schema.SchemaType.OBJECT).properties(new LinkedHashMap<>(properties));
        return required.length == 0 ? schema : schema.required(List.of(required));
    }
}
