package dev.apiauth.bench;

import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

/**
 * What teams write today without a library: the header compared with a set of plaintext keys held in memory
 * (the key from the environment variable BENCH_NAIVE_KEY, plus 999 others). Stores plaintext; benchmark only.
 */
@Provider
@Naive
@Priority(Priorities.AUTHENTICATION)
public class NaiveKeyFilter implements ContainerRequestFilter {

    private static final Set<String> KEYS = new HashSet<>();

    static {
        String key = System.getenv("BENCH_NAIVE_KEY");
        if (key != null) {
            KEYS.add(key);
        }
        for (int i = 0; i < 999; i++) {
            KEYS.add(UUID.randomUUID().toString());
        }
    }

    @Override
    public void filter(ContainerRequestContext request) {
        String key = request.getHeaderString("X-API-Key");
        if (key == null || !KEYS.contains(key)) {
            request.abortWith(Response.status(401).build());
        }
    }
}
