package dev.apiauth.it;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Real HTTP against the deployed application, with java.net.http. */
final class Http {

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final URI base;

    Http(URL deploymentUrl) {
        String url = deploymentUrl.toString();
        this.base = URI.create(url.endsWith("/") ? url : url + "/");
    }

    URI uri(String path) {
        return base.resolve(path);
    }

    Response get(String path, String... headers) {
        return send(request(path, headers).GET());
    }

    Response head(String path, String... headers) {
        return send(request(path, headers).method("HEAD", HttpRequest.BodyPublishers.noBody()));
    }

    Response options(String path, String... headers) {
        return send(request(path, headers).method("OPTIONS", HttpRequest.BodyPublishers.noBody()));
    }

    Response post(String path, String json, String... headers) {
        return send(request(path, headers).header("Content-Type", "application/json")
                .POST(json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json)));
    }

    Response patch(String path, String json, String... headers) {
        return send(request(path, headers).header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(json)));
    }

    /**
     * Asserts the guard at {@code path}: 401 without a key (reason {@code missing}), with a junk key, with an unknown key,
     * and for HEAD without a key; then 200 with {@code key}. Returns the 200 body.
     */
    String assertGuarded(String path, String key) {
        Response none = get(path);
        org.junit.jupiter.api.Assertions.assertEquals(401, none.status(), path + " without a key: " + none);
        org.junit.jupiter.api.Assertions.assertEquals("missing", none.json().getString("reason"), path);
        Response junk = get(path, "X-API-Key", "not-a-key");
        org.junit.jupiter.api.Assertions.assertEquals(401, junk.status(), path + " with a junk key: " + junk);
        Response unknown = get(path, "X-API-Key", new dev.apiauth.internal.KeyCodec("ak_").generate());
        org.junit.jupiter.api.Assertions.assertEquals(401, unknown.status(), path + " with an unknown key: " + unknown);
        org.junit.jupiter.api.Assertions.assertEquals(401, head(path).status(), "HEAD " + path + " without a key");
        Response ok = get(path, "X-API-Key", key);
        org.junit.jupiter.api.Assertions.assertEquals(200, ok.status(), path + " with a valid key: " + ok);
        return ok.body();
    }

    /** A key issued by the test WARs' {@code TestControlResource} (not through the management API); its plaintext. */
    String issueKey(String owner, String... scopes) {
        StringBuilder query = new StringBuilder("api/test-control/keys?owner=" + owner);
        for (String scope : scopes) {
            query.append("&scope=").append(scope);
        }
        Response response = post(query.toString(), null);
        if (response.status() != 200) {
            throw new AssertionError("issuing a test key failed: " + response);
        }
        return response.body();
    }

    Response delete(String path, String... headers) {
        return send(request(path, headers).DELETE());
    }

    private HttpRequest.Builder request(String path, String... headers) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30));
        if (headers.length > 0) {
            builder.headers(headers);
        }
        return builder;
    }

    private static Response send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(response);
        } catch (IOException e) {
            throw new AssertionError("request failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    record Response(HttpResponse<String> raw) {
        int status() {
            return raw.statusCode();
        }

        String body() {
            return raw.body();
        }

        String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }

        JsonObject json() {
            try (JsonReader reader = Json.createReader(new StringReader(raw.body()))) {
                return reader.readObject();
            }
        }

        @Override
        public String toString() {
            return raw.statusCode() + " " + raw.headers().map() + " " + raw.body();
        }
    }
}
