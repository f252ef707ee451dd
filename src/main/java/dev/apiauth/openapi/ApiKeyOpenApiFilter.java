package dev.apiauth.openapi;

import dev.apiauth.ApiAuthConfig;
import dev.apiauth.jaxrs.OpenApiRoutes;
import dev.apiauth.jaxrs.OpenApiRoutes.Route;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.Components;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.Paths;
import org.eclipse.microprofile.openapi.models.callbacks.Callback;
import org.eclipse.microprofile.openapi.models.headers.Header;
import org.eclipse.microprofile.openapi.models.links.Link;
import org.eclipse.microprofile.openapi.models.media.Content;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.parameters.Parameter;
import org.eclipse.microprofile.openapi.models.parameters.RequestBody;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;
import org.eclipse.microprofile.openapi.models.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.models.security.SecurityScheme;
import org.eclipse.microprofile.openapi.models.servers.Server;
import org.eclipse.microprofile.openapi.models.tags.Tag;

/**
 * Adds the library's part to the application's MicroProfile OpenAPI document, without annotations in the application:
 * <ul>
 *   <li>the security scheme {@value #SCHEME} (an API key in {@code apiauth.header}, or HTTP {@code apiauth.scheme} such as
 *   Bearer) and the problem+json schema {@value #PROBLEM};</li>
 *   <li>on every operation the guard protects (found by the same resolution rules as the guard, through interfaces and
 *   superclasses): a security requirement listing the scopes a key needs (alternatives when any one of several
 *   suffices), and the 401, 403, 429 and 503 answers it can give;</li>
 *   <li>the management API's operations when it is enabled, under every application path the document uses.</li>
 * </ul>
 * Named as {@code mp.openapi.filter} by {@link OpenApiFilterSource}. An application filter named in
 * {@code apiauth.openapi.filter} runs after this one, for every element.
 *
 * <p>An operation is matched to its Java method by HTTP method and by the path the document gives it, which ends with
 * the method's JAX-RS template (the application path comes before it); where the document carries the default
 * operationId (the Java method's name), that must agree too. The longest matching template wins.
 */
public final class ApiKeyOpenApiFilter implements OASFilter {

    private static final Logger LOG = Logger.getLogger(ApiKeyOpenApiFilter.class.getName());
    /** The security scheme's name in the document. */
    public static final String SCHEME = "apiKey";
    /** The problem+json schema's name in the document. */
    public static final String PROBLEM = "ApiAuthProblem";
    static final String PROBLEM_JSON = "application/problem+json";

    private final OASFilter next;

    public ApiKeyOpenApiFilter() {
        next = applicationFilter();
    }

    /** The application's filter from {@code apiauth.openapi.filter}, or null (the extension checked it at startup). */
    private static OASFilter applicationFilter() {
        ClassLoader loader = ApiKeyOpenApiFilter.class.getClassLoader();
        try {
            String name = ConfigProvider.getConfig(loader).getOptionalValue(ApiAuthConfig.OPENAPI_FILTER, String.class).orElse(null);
            return name == null ? null : instantiate(name, loader);
        } catch (RuntimeException | LinkageError e) {
            LOG.log(Level.WARNING, ApiAuthConfig.OPENAPI_FILTER + " could not be used; the application's OpenAPI filter does not run", e);
            return null;
        }
    }

    /**
     * Checks, without creating one, that the application's filter class can be used: loadable, an OASFilter, with a
     * public no-argument constructor (it is created when the document is first built, when CDI is up).
     *
     * @throws IllegalArgumentException naming the problem
     */
    public static Class<?> check(String className, ClassLoader loader) {
        Class<?> type;
        try {
            type = Class.forName(className, false, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            throw new IllegalArgumentException("class " + className + " cannot be loaded (" + e + ")");
        }
        if (!OASFilter.class.isAssignableFrom(type)) {
            throw new IllegalArgumentException(className + " does not implement org.eclipse.microprofile.openapi.OASFilter");
        }
        if (type == ApiKeyOpenApiFilter.class) {
            throw new IllegalArgumentException("it names the library's own filter, which runs anyway");
        }
        try {
            type.getConstructor();
        } catch (NoSuchMethodException e) {
            throw new IllegalArgumentException(className + " has no public no-argument constructor");
        }
        return type;
    }

    /** An instance of the application's filter class ({@link #check}ed first). */
    static OASFilter instantiate(String className, ClassLoader loader) {
        try {
            return (OASFilter) check(className, loader).getConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException(className + " could not be created (" + e + ")", e);
        }
    }

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        ApiAuthConfig config = OpenApiRoutes.config();
        if (config != null && config.openApiEnabled()) {
            java.util.Collection<Route> routes = OpenApiRoutes.routes();
            if (routes.isEmpty()) {
                LOG.warning("the OpenAPI document was built before the JAX-RS application started (no resource method is known"
                        + " yet), so it shows no API-key requirements; give the JAX-RS servlet <load-on-startup> if it has none");
            }
            try {
                contribute(openAPI, config, routes, next);
            } catch (RuntimeException | LinkageError e) {
                // the implementation may keep the document as it stands: better without some requirements than no /openapi
                LOG.log(Level.WARNING, "the API-key part of the OpenAPI document could not be completed", e);
            }
        }
        if (next != null) {
            next.filterOpenAPI(openAPI);
        }
    }

    /** An operation of the document and the route it documents. */
    private record Decision(Operation operation, Route route) {
    }

    /**
     * Adds the scheme, the requirements and the management API to {@code openAPI}. Everything is decided before
     * anything is changed. What is added new (the management operations, the scheme, the schemas) goes through
     * {@code next}, the application's filter, as the elements the implementation walked did; an operation it answers
     * null for is left out.
     */
    static void contribute(OpenAPI openAPI, ApiAuthConfig config, java.util.Collection<Route> routes, OASFilter next) {
        Paths paths = openAPI.getPaths() == null ? OASFactory.createPaths() : openAPI.getPaths();
        List<Decision> decisions = new ArrayList<>();
        Set<String> roots = new LinkedHashSet<>();
        Map<String, List<Operation>> unmatched = new LinkedHashMap<>();
        List<Route> named = routes.stream().filter(r -> !r.template().isEmpty()).toList();
        List<Route> rootRoutes = routes.stream().filter(r -> r.template().isEmpty()).toList();
        for (Map.Entry<String, PathItem> entry : paths.getPathItems() == null ? Map.<String, PathItem>of().entrySet()
                : paths.getPathItems().entrySet()) {
            String path = OpenApiRoutes.normalise(entry.getKey());
            PathItem item = entry.getValue();
            if (item == null || item.getOperations() == null) {
                continue;
            }
            for (Map.Entry<PathItem.HttpMethod, Operation> op : item.getOperations().entrySet()) {
                String operationId = op.getValue().getOperationId();
                Route route = match(path, op.getKey().name(), operationId, named);
                if (route == null) {
                    unmatched.computeIfAbsent(path + " " + op.getKey().name(), k -> new ArrayList<>()).add(op.getValue());
                    continue;
                }
                decisions.add(new Decision(op.getValue(), route));
                if (operationId == null || operationId.equals(route.javaMethod())) { // only firm matches say where the root is
                    roots.add(path.substring(0, path.length() - route.template().length()));
                }
            }
        }
        // a resource method at the application's root ("" template) documents only an operation at a root found above
        for (Map.Entry<String, List<Operation>> entry : unmatched.entrySet()) {
            int space = entry.getKey().lastIndexOf(' ');
            String path = entry.getKey().substring(0, space);
            if (roots.contains(path)) {
                for (Operation operation : entry.getValue()) {
                    Route route = match(path, entry.getKey().substring(space + 1), operation.getOperationId(), rootRoutes);
                    if (route != null) {
                        decisions.add(new Decision(operation, route));
                    }
                }
            }
        }

        if (openAPI.getPaths() == null) {
            openAPI.setPaths(paths);
        }
        Components components = openAPI.getComponents();
        if (components == null) {
            components = OASFactory.createComponents();
            openAPI.setComponents(components);
        }
        SecurityScheme scheme = next == null ? scheme(config) : next.filterSecurityScheme(scheme(config));
        if (scheme != null) { // an application's filter may hide it (the requirements then name an undocumented scheme)
            components.addSecurityScheme(SCHEME, scheme);
        }
        Map<String, Schema> schemas = new LinkedHashMap<>();
        schemas.put(PROBLEM, problemSchema());
        boolean management = config.managementEnabled() && !OpenApiRoutes.managementMountedByApplication();
        if (management) {
            schemas.putAll(Management.schemas());
        }
        for (Map.Entry<String, Schema> schema : schemas.entrySet()) {
            Schema filtered = next == null ? schema.getValue() : next.filterSchema(schema.getValue());
            if (filtered != null) {
                components.addSchema(schema.getKey(), filtered);
            }
        }
        for (Decision decision : decisions) {
            if (decision.route().protectedBy() != null) {
                protect(decision.operation(), decision.route().protectedBy(), decision.route().scopesListed(), openAPI.getSecurity());
            }
        }
        if (management) {
            if (roots.isEmpty()) {
                roots.add(""); // no operation of the application's to learn its path from: the servlet root
            }
            for (String root : roots) {
                Management.addTo(paths, root + OpenApiRoutes.normalise(config.managementPath()), config.managementScope(), next);
            }
        }
    }

    /**
     * The route the operation at {@code path} documents, or null. Among the routes of its HTTP method whose template
     * ends the path: the one whose Java method the operationId names (the default operationId is the method's name;
     * a longer template wins between two such), else the longest. Null when the operationId names a method of that
     * HTTP method whose template does not fit the path: the document then says something the routes cannot confirm.
     */
    static Route match(String path, String httpMethod, String operationId, java.util.Collection<Route> routes) {
        Route best = null;
        boolean bestNamed = false;
        for (Route route : routes) {
            if (!route.httpMethod().equalsIgnoreCase(httpMethod) || !endsWithSegments(path, route.template())) {
                continue;
            }
            boolean named = route.javaMethod().equals(operationId);
            int length = route.template().length();
            if (best == null || named && !bestNamed || named == bestNamed && length > best.template().length()) {
                best = route;
                bestNamed = named;
            }
        }
        if (best != null && operationId != null && !bestNamed && routes.stream().anyMatch(r -> r.javaMethod().equals(operationId)
                && r.httpMethod().equalsIgnoreCase(httpMethod))) {
            return null;
        }
        return best;
    }

    /** Templates start with '/' (or are empty for the root), so a suffix match is a match of whole segments. */
    private static boolean endsWithSegments(String path, String template) {
        return template.isEmpty() || path.endsWith(template);
    }

    /** The operation's security requirement and the answers the guard can give it. */
    static void protect(Operation operation, List<Set<String>> alternatives, boolean scopesListed) {
        protect(operation, alternatives, scopesListed, null);
    }

    /** The same; {@code documentWide} is the document's own requirement, which applies where the operation has none. */
    static void protect(Operation operation, List<Set<String>> alternatives, boolean scopesListed, List<SecurityRequirement> documentWide) {
        List<List<String>> ours = new ArrayList<>();
        for (Set<String> scopes : alternatives) {
            ours.add(new ArrayList<>(scopes));
        }
        if (alternatives.isEmpty()) { // @DenyAll: no key passes; the scheme is still what is asked for
            ours.add(List.of());
            operation.addExtension("x-apiauth-deny-all", Boolean.TRUE);
        }
        // the key is needed whatever else the application documented: each of its alternatives gets ours as well
        List<SecurityRequirement> declared = operation.getSecurity() != null ? operation.getSecurity() : documentWide;
        List<SecurityRequirement> existing = declared == null ? List.of() : declared.stream()
                .filter(r -> r.getSchemes() != null && !r.getSchemes().isEmpty() && !r.hasScheme(SCHEME)).toList();
        List<SecurityRequirement> requirements = new ArrayList<>();
        for (SecurityRequirement theirs : existing.isEmpty() ? java.util.Collections.<SecurityRequirement>singletonList(null) : existing) {
            for (List<String> scopes : ours) {
                SecurityRequirement both = OASFactory.createSecurityRequirement();
                if (theirs != null) {
                    theirs.getSchemes().forEach(both::addScheme);
                }
                requirements.add(both.addScheme(SCHEME, scopes));
            }
        }
        if (!scopesListed) {
            operation.addExtension("x-apiauth-scopes", "too many alternatives to list; see the resource's annotations");
        }
        operation.setSecurity(requirements);
        boolean scoped = alternatives.isEmpty() || alternatives.stream().anyMatch(s -> !s.isEmpty()) || !scopesListed;
        addResponse(operation, "401", "No valid API key: missing, malformed, unknown, revoked or expired (reason in the body)", true);
        if (scoped) {
            addResponse(operation, "403", "The key lacks a required scope", false);
        }
        addResponse(operation, "429", "The key's rate limit is spent; Retry-After says when to retry", false);
        addResponse(operation, "503", "The key store cannot be reached; Retry-After says when to retry", false);
    }

    private static void addResponse(Operation operation, String status, String description, boolean challenge) {
        APIResponses responses = operation.getResponses();
        if (responses == null) {
            responses = OASFactory.createAPIResponses();
            operation.setResponses(responses);
        }
        if (responses.hasAPIResponse(status)) {
            return; // the application documented it itself
        }
        APIResponse response = OASFactory.createAPIResponse().description(description).content(problemContent());
        if (challenge) {
            response.addHeader("WWW-Authenticate", OASFactory.createHeader().description("The scheme the key is expected in")
                    .schema(OASFactory.createSchema().type(Schema.SchemaType.STRING)));
        }
        responses.addAPIResponse(status, response);
    }

    static Content problemContent() {
        return OASFactory.createContent().addMediaType(PROBLEM_JSON,
                OASFactory.createMediaType().schema(OASFactory.createSchema().ref(PROBLEM)));
    }

    private static SecurityScheme scheme(ApiAuthConfig config) {
        if (config.scheme().isPresent()) {
            String scheme = config.scheme().get();
            return OASFactory.createSecurityScheme().type(SecurityScheme.Type.HTTP).scheme(scheme.toLowerCase(Locale.ROOT))
                    .description("An API key in 'Authorization: " + scheme + " <key>'. Keys start with "
                            + config.keyPrefix() + "; a key's scopes are listed per operation.");
        }
        return OASFactory.createSecurityScheme().type(SecurityScheme.Type.APIKEY).in(SecurityScheme.In.HEADER).name(config.header())
                .description("An API key in the " + config.header() + " header. Keys start with " + config.keyPrefix()
                        + "; a key's scopes are listed per operation.");
    }

    private static Schema problemSchema() {
        Map<String, Schema> properties = new LinkedHashMap<>();
        properties.put("type", string("A URI naming the problem: urn:apiauth:problem:<name>"));
        properties.put("title", string("A short summary"));
        properties.put("status", OASFactory.createSchema().type(Schema.SchemaType.INTEGER).description("The HTTP status")
                .minimum(BigDecimal.valueOf(400)).maximum(BigDecimal.valueOf(599)));
        properties.put("detail", string("What went wrong; never contains the key"));
        properties.put("reason", string("On the guard's refusals: missing, malformed, unknown, revoked, expired,"
                + " insufficient-scope, rate-limited or backend-unavailable"));
        return OASFactory.createSchema().type(Schema.SchemaType.OBJECT).description("An RFC 9457 problem (application/problem+json)")
                .properties(properties).required(List.of("type", "title", "status"));
    }

    static Schema string(String description) {
        return OASFactory.createSchema().type(Schema.SchemaType.STRING).description(description);
    }

    // every element is also the application's filter's to see

    @Override
    public PathItem filterPathItem(PathItem pathItem) {
        return next == null ? pathItem : next.filterPathItem(pathItem);
    }

    @Override
    public Operation filterOperation(Operation operation) {
        return next == null ? operation : next.filterOperation(operation);
    }

    @Override
    public Parameter filterParameter(Parameter parameter) {
        return next == null ? parameter : next.filterParameter(parameter);
    }

    @Override
    public Header filterHeader(Header header) {
        return next == null ? header : next.filterHeader(header);
    }

    @Override
    public RequestBody filterRequestBody(RequestBody requestBody) {
        return next == null ? requestBody : next.filterRequestBody(requestBody);
    }

    @Override
    public APIResponse filterAPIResponse(APIResponse apiResponse) {
        return next == null ? apiResponse : next.filterAPIResponse(apiResponse);
    }

    @Override
    public Schema filterSchema(Schema schema) {
        return next == null ? schema : next.filterSchema(schema);
    }

    @Override
    public SecurityScheme filterSecurityScheme(SecurityScheme securityScheme) {
        return next == null ? securityScheme : next.filterSecurityScheme(securityScheme);
    }

    @Override
    public Server filterServer(Server server) {
        return next == null ? server : next.filterServer(server);
    }

    @Override
    public Tag filterTag(Tag tag) {
        return next == null ? tag : next.filterTag(tag);
    }

    @Override
    public Link filterLink(Link link) {
        return next == null ? link : next.filterLink(link);
    }

    @Override
    public Callback filterCallback(Callback callback) {
        return next == null ? callback : next.filterCallback(callback);
    }
}
