package dev.apiauth.jaxrs;

import dev.apiauth.ApiAuthConfig;
import dev.apiauth.ApiKeyService;
import jakarta.enterprise.inject.spi.CDI;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * GitHub's secret-scanning alerts: no API key (GitHub has none of ours); the signature on the body is the credential,
 * checked before anything is parsed or revoked ({@link GitHubLeakAlerts}). Mounted under the management path by the
 * runtime integration (Jersey: as an inflector; RESTEasy: as this resource); no {@code @Path}, so scanning never mounts it.
 */
public final class GitHubAlertsResource {

    /** Where GitHub's alerts are accepted, under the management path. */
    public static final String PATH = "github-secret-scanning";
    private static final Logger LOG = Logger.getLogger(GitHubAlertsResource.class.getName());
    private final GitHubLeakAlerts alerts;

    GitHubAlertsResource(GitHubLeakAlerts alerts) {
        this.alerts = alerts;
    }

    /** Where the keys come from, for a log line: without user information or a query, which could hold a token. */
    public static String keysForLog(ApiAuthConfig config) {
        return keysForLog(config.githubAlertsKeys());
    }

    static String keysForLog(String url) {
        int query = url.indexOf('?');
        return (query >= 0 ? url.substring(0, query) : url).replaceAll("//[^/@]*@", "//");
    }

    /** The endpoint for this application's configuration and key service. */
    public static GitHubAlertsResource fromCdi(ApiAuthConfig config) {
        return new GitHubAlertsResource(new GitHubLeakAlerts(CDI.current().select(ApiKeyService.class).get(),
                config.githubAlertsKeys(), System::nanoTime));
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Response receive(@Context HttpHeaders headers, InputStream body) {
        return answer(body, headers.getHeaderString("Github-Public-Key-Identifier"), headers.getHeaderString("Github-Public-Key-Signature"));
    }

    Response answer(InputStream entity, String keyId, String signature) {
        try {
            byte[] body = entity.readNBytes(GitHubLeakAlerts.MAX_BODY_BYTES + 1);
            if (body.length > GitHubLeakAlerts.MAX_BODY_BYTES) {
                return Problems.of(413, "payload-too-large", "Payload too large", "An alert body is at most "
                        + GitHubLeakAlerts.MAX_BODY_BYTES + " bytes.");
            }
            GitHubLeakAlerts.Answer answer = alerts.handle(body, keyId, signature);
            Response.ResponseBuilder response = Response.status(answer.status())
                    .type(answer.status() == 200 ? "application/json" : "application/problem+json").entity(answer.json());
            return (answer.status() == 503 ? response.header("Retry-After", "600") : response).build();
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "a GitHub secret-scanning alert could not be handled; GitHub retries", e);
            return Problems.of(503, "backend-unavailable", "Key storage unavailable", "The alert could not be handled; retry.");
        }
    }
}
