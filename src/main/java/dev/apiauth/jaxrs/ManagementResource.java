package dev.apiauth.jaxrs;

import dev.apiauth.ApiAuthConfig;
import dev.apiauth.ApiKey;
import dev.apiauth.ApiKeyService;
import dev.apiauth.GeneratedKey;
import dev.apiauth.ValidationResult;
import dev.apiauth.backend.BackendException;
import dev.apiauth.backend.UnconfirmedWriteException;
import dev.apiauth.backend.ConcurrentUpdateException;
import dev.apiauth.backend.UnknownKeyException;
import jakarta.enterprise.inject.spi.CDI;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.CacheControl;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The management REST API: create, list, get, change (rate limit), revoke, rotate and delete keys. Every call needs the scope
 * {@code apiauth.management.scope}, except {@code GET self}, where any valid key reads its own record. It is mounted at
 * {@code apiauth.management.path} when {@code apiauth.management.enabled=true}: on Jersey (Payara, GlassFish) by
 * {@link JerseyIntegration}, on RESTEasy (WildFly, Open Liberty) by {@link ResteasyIntegration}; on other JAX-RS runtimes,
 * or in a RESTEasy application that switches the feature services off, mount it yourself:
 * {@code @Path("api-keys") public class Keys extends ManagementResource {}}.
 */
@Produces(MediaType.APPLICATION_JSON)
public class ManagementResource {

    /** The one method any valid key may call: {@link #self()} (final, so no subclass can widen what it answers). */
    static final String SELF = "self";

    static boolean isSelf(java.lang.reflect.Method method) {
        return method.getDeclaringClass() == ManagementResource.class && SELF.equals(method.getName()) && method.getParameterCount() == 0;
    }
    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 500;
    private static final Logger LOG = Logger.getLogger(ManagementResource.class.getName());
    private static final CacheControl NO_STORE;

    static {
        NO_STORE = new CacheControl();
        NO_STORE.setNoStore(true);
        NO_STORE.setNoTransform(false);
    }

    /** Largest request body accepted: a key request is a few hundred bytes. */
    static final int MAX_BODY_BYTES = 64 * 1024;

    @Context
    private UriInfo uriInfo;

    @Context
    private HttpHeaders headers;

    private final ApiKeyService service;
    private final boolean enabled;
    private final Guard guard;
    private final GuardRule rule;

    public ManagementResource() {
        CDI<Object> cdi = CDI.current();
        this.service = cdi.select(ApiKeyService.class).get();
        ApiAuthConfig config = cdi.select(ApiAuthConfig.class).get();
        this.enabled = config.managementEnabled();
        this.guard = Guard.fromCdi(false); // made per request; the filter in front of it fires the refusal events
        this.rule = GuardRule.management(config.managementScope());
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    public Response create(InputStream body) {
        return handle(() -> {
            GeneratedKey key = service.create(KeyJson.parseCreate(read(body)));
            URI location = uriInfo.getAbsolutePathBuilder().path(key.record().id().toString()).build();
            return Response.created(location).cacheControl(NO_STORE).type(MediaType.APPLICATION_JSON)
                    .entity(KeyJson.created(key, Instant.now())).build();
        });
    }

    /**
     * An owner's keys, newest first, a page at a time. {@code expiringBefore}: only keys with an expiry before that
     * instant; {@code unusedSince}: only keys not used since that instant (never used: not since their creation).
     */
    @GET
    public Response list(@QueryParam("ownerId") String ownerId, @QueryParam("limit") String limit,
                         @QueryParam("offset") String offset, @QueryParam("expiringBefore") String expiringBefore,
                         @QueryParam("unusedSince") String unusedSince) {
        return handle(() -> {
            if (ownerId == null || ownerId.isBlank()) {
                throw new KeyJson.BadRequest("ownerId: required query parameter");
            }
            int size = integer("limit", limit, DEFAULT_LIMIT, 1, MAX_LIMIT);
            int skip = integer("offset", offset, 0, 0, Integer.MAX_VALUE);
            Instant expiring = instant("expiringBefore", expiringBefore);
            Instant unused = instant("unusedSince", unusedSince);
            List<ApiKey> all = service.listByOwner(ownerId);
            if (expiring != null || unused != null) {
                all = all.stream()
                        .filter(key -> expiring == null || key.expiresAt() != null && key.expiresAt().isBefore(expiring))
                        .filter(key -> unused == null || (key.lastUsedAt() != null ? key.lastUsedAt() : key.createdAt()).isBefore(unused))
                        .toList();
            }
            List<ApiKey> page = all.subList(Math.min(skip, all.size()), (int) Math.min((long) skip + size, all.size()));
            return Response.ok(KeyJson.page(page, all.size(), size, skip, Instant.now())).build();
        });
    }

    /**
     * What the calling key may know about itself, for any valid key (no management scope): id, hint, scopes,
     * creation, expiry, last use, active. Not its name, owner or metadata, which are the operator's. The bootstrap
     * admin key has no record and is refused here.
     */
    @GET
    @Path(SELF)
    public final Response self() {
        if (!enabled) {
            return Problems.of(404, "not-found", "Not Found", "The management API is disabled (apiauth.management.enabled=false).");
        }
        ValidationResult result = guard.authenticate(headers);
        if (!result.isValid()) {
            return guard.problems.refuse(result.outcome());
        }
        return Response.ok(KeyJson.self(result.key(), service.rateLimitOf(result.key()), Instant.now())).cacheControl(NO_STORE).build();
    }

    @GET
    @Path("{id}")
    public Response get(@PathParam("id") String id) {
        return handle(() -> service.get(uuid(id))
                .map(key -> Response.ok(KeyJson.record(key, Instant.now()).build().toString()).build())
                .orElseThrow(() -> new UnknownKeyException(uuid(id))));
    }

    /**
     * Changes a key: {@code {"rateLimit": {"requests": 100, "per": "PT1M"}}} sets its own limit,
     * {@code {"rateLimit": null}} removes it (the default, if any, applies again). Answers the record.
     */
    @PATCH
    @Path("{id}")
    @Consumes(MediaType.WILDCARD)
    public Response update(@PathParam("id") String id, InputStream body) {
        return handle(() -> {
            ApiKey key = service.setRateLimit(uuid(id), KeyJson.parseUpdate(read(body)));
            return Response.ok(KeyJson.record(key, Instant.now()).build().toString()).build();
        });
    }

    @POST
    @Path("{id}/revoke")
    public Response revoke(@PathParam("id") String id) {
        return handle(() -> {
            service.revoke(uuid(id));
            return Response.noContent().build();
        });
    }

    @POST
    @Path("{id}/rotate")
    @Consumes(MediaType.WILDCARD)
    public Response rotate(@PathParam("id") String id, InputStream body) {
        return handle(() -> {
            UUID old = uuid(id);
            GeneratedKey key = service.rotate(old, KeyJson.parseRotate(read(body)));
            URI location = uriInfo.getAbsolutePath().resolve("../" + key.record().id());
            return Response.created(location).cacheControl(NO_STORE).type(MediaType.APPLICATION_JSON)
                    .entity(KeyJson.created(key, Instant.now())).build();
        });
    }

    @DELETE
    @Path("{id}")
    public Response delete(@PathParam("id") String id) {
        return handle(() -> {
            service.delete(uuid(id));
            return Response.noContent().build();
        });
    }

    /**
     * Checks the caller, then maps every failure to one precise status; nothing a client sends becomes a 500.
     * The caller's key is checked here, on the request's own credential, whether or not the library's filter
     * ran before: a runtime that skipped the filter still cannot reach the management API without the scope.
     */
    private Response handle(Supplier<Response> call) {
        if (!enabled) {
            return Problems.of(404, "not-found", "Not Found", "The management API is disabled (apiauth.management.enabled=false).");
        }
        Guard.Caller caller = guard.checkManagement(headers, rule);
        if (caller.refusal() != null) {
            return caller.refusal();
        }
        try {
            boolean bootstrap = service.isBootstrap(caller.key());
            return service.actingAs(bootstrap ? null : caller.key().id(), bootstrap ? "bootstrap-key" : "management-api", call);
        } catch (TooLarge e) {
            return Problems.of(413, "payload-too-large", "Payload too large", e.getMessage());
        } catch (KeyJson.BadRequest | IllegalArgumentException e) {
            return Problems.of(400, "invalid-request", "Invalid request", e.getMessage());
        } catch (UnknownKeyException | NotAnId e) {
            return Problems.of(404, "unknown-key-id", "No such API key", e.getMessage());
        } catch (ConcurrentUpdateException | IllegalStateException e) {
            return Problems.of(409, "conflict", "Conflict", e.getMessage());
        } catch (UnconfirmedWriteException e) {
            LOG.log(Level.WARNING, "API key change not confirmed by a replica: " + e.getMessage());
            return Problems.of(503, "change-not-confirmed", "Change not confirmed", "No replica of the key store confirmed"
                    + " the change in time, so a failover could undo it (or it was not made). Retry the same request: it"
                    + " succeeds once the change is confirmed.");
        } catch (BackendException e) {
            LOG.log(Level.WARNING, "API key backend failed during a management call", e);
            return Problems.of(503, "backend-unavailable", "Key storage unavailable", "API keys cannot be managed right now; retry shortly.");
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "API key management call failed", e);
            return Problems.of(503, "backend-unavailable", "Key storage unavailable", "API keys cannot be managed right now; retry shortly.");
        }
    }

    /** The body as UTF-8 text, read only after the caller was checked, and at most {@value #MAX_BODY_BYTES} bytes of it. */
    private static String read(InputStream body) {
        if (body == null) {
            return null;
        }
        try {
            byte[] bytes = body.readNBytes(MAX_BODY_BYTES + 1);
            if (bytes.length > MAX_BODY_BYTES) {
                throw new TooLarge("the request body is larger than " + MAX_BODY_BYTES + " bytes");
            }
            CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
            return utf8.decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new KeyJson.BadRequest("the request body is not UTF-8 text");
        } catch (IOException e) {
            throw new KeyJson.BadRequest("the request body could not be read: " + e.getClass().getSimpleName());
        }
    }

    private static UUID uuid(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw new NotAnId("the path does not name an API key id (a UUID)"); // never echoed: it could be a pasted key
        }
    }

    private static Instant instant(String name, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(value.strip());
        } catch (java.time.format.DateTimeParseException e) {
            throw new KeyJson.BadRequest(name + ": not an ISO-8601 instant such as 2026-12-31T00:00:00Z");
        }
    }

    private static int integer(String name, String value, int defaultValue, int min, int max) {
        if (value == null || value.isBlank()) {
            return defaultValue;
        }
        try {
            int parsed = Integer.parseInt(value.strip());
            if (parsed >= min && parsed <= max) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new KeyJson.BadRequest(name + ": not an integer from " + min + " to " + max);
    }

    private static final class TooLarge extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TooLarge(String message) {
            super(message, null, false, false);
        }
    }

    private static final class NotAnId extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NotAnId(String message) {
            super(message, null, false, false);
        }
    }
}
