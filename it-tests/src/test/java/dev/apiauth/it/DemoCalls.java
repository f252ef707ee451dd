package dev.apiauth.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The demo's HTTP calls the reliability suites make under load: a guarded request, creating and revoking a key. */
final class DemoCalls {

    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private final String base;
    private final String adminKey;

    /** @param base the demo's root, e.g. {@code http://127.0.0.1:8080/app/}; {@code adminKey}: the bootstrap key */
    DemoCalls(String base, String adminKey) {
        this.base = base;
        this.adminKey = adminKey;
    }

    /** What {@code GET api/hello} with {@code key} was answered: the status (-1 for no answer) and whether Retry-After came. */
    record Answer(int status, boolean retryAfter) {
    }

    Answer hello(String key) {
        try {
            HttpResponse<Void> response = CLIENT.send(HttpRequest.newBuilder(URI.create(base + "api/hello"))
                    .header("X-API-Key", key).timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.discarding());
            return new Answer(response.statusCode(), response.headers().firstValue("Retry-After").isPresent());
        } catch (Exception e) {
            return new Answer(-1, false);
        }
    }

    /** {plaintext, id} of a new key of {@code owner}; anything but 201 fails the test. */
    String[] createKey(String name, String owner) throws Exception {
        HttpResponse<String> created = CLIENT.send(HttpRequest.newBuilder(URI.create(base + "api/api-keys"))
                .header("X-API-Key", adminKey).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"" + name + "\",\"ownerId\":\"" + owner + "\"}"))
                .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(201, created.statusCode(), created.body());
        var json = jakarta.json.Json.createReader(new java.io.StringReader(created.body())).readObject();
        return new String[] {json.getString("key"), json.getString("id")};
    }

    /** The revocation's answer, -1 when none came. */
    int revoke(String id) throws InterruptedException {
        HttpResponse<String> answer = revokeAnswer(id);
        return answer == null ? -1 : answer.statusCode();
    }

    /** The revocation's whole answer, or null when none came. */
    HttpResponse<String> revokeAnswer(String id) throws InterruptedException {
        try {
            return CLIENT.send(HttpRequest.newBuilder(URI.create(base + "api/api-keys/" + id + "/revoke"))
                    .header("X-API-Key", adminKey).POST(HttpRequest.BodyPublishers.noBody())
                    .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            return null;
        }
    }
}
