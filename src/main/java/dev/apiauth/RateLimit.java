package dev.apiauth;

import java.time.Duration;
import java.util.Objects;

/**
 * How many requests one key may make: a bucket of {@link #requests()} requests, refilled evenly over
 * {@link #per()}. A client may spend the whole bucket at once; after that one more request is admitted every
 * {@code per / requests}, so over a long run a key averages at most {@code requests} per {@code per}.
 *
 * <p>Written {@code 100/PT1M} (or {@code 100/60}, seconds) in configuration and
 * {@code {"requests": 100, "per": "PT1M"}} in the management API.
 *
 * @param requests at least 1, at most {@value #MAX_REQUESTS}
 * @param per      whole seconds, from 1 second to 1 day
 */
public record RateLimit(int requests, Duration per) {

    public static final int MAX_REQUESTS = 1_000_000;
    public static final Duration MAX_PER = Duration.ofDays(1);
    /** What a limit looks like in messages: the rule {@link #RateLimit} checks. */
    public static final String RULE = "requests from 1 to " + MAX_REQUESTS + " per whole seconds from PT1S to P1D";

    public RateLimit {
        Objects.requireNonNull(per, "per");
        if (requests < 1 || requests > MAX_REQUESTS) {
            throw new IllegalArgumentException("rateLimit.requests: out of range; expected a whole number from 1 to " + MAX_REQUESTS);
        }
        if (per.getNano() != 0 || per.getSeconds() < 1 || per.compareTo(MAX_PER) > 0) {
            throw new IllegalArgumentException("rateLimit.per: out of range; expected whole seconds from PT1S to P1D");
        }
    }

    public static RateLimit of(int requests, Duration per) {
        return new RateLimit(requests, per);
    }

    /**
     * Reads {@code <requests>/<per>}, {@code per} in whole seconds ({@code 60}) or ISO-8601 ({@code PT1M}).
     *
     * @throws IllegalArgumentException naming what was expected
     */
    public static RateLimit parse(String text) {
        int slash = text == null ? -1 : text.indexOf('/');
        if (slash < 1) {
            throw new IllegalArgumentException("expected <requests>/<period> such as 100/PT1M or 100/60 (seconds)");
        }
        int requests;
        try {
            requests = Integer.parseInt(text.substring(0, slash).strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected <requests>/<period> such as 100/PT1M; '" + text.substring(0, slash)
                    + "' is not a whole number");
        }
        String period = text.substring(slash + 1).strip();
        Duration per = dev.apiauth.internal.ConfigReader.parseDuration(period);
        if (per == null) {
            throw new IllegalArgumentException("expected <requests>/<period> such as 100/PT1M; '" + period
                    + "' is neither whole seconds nor an ISO-8601 duration");
        }
        return new RateLimit(requests, per);
    }

    /** {@code 100/PT1M}: what {@link #parse} reads. */
    @Override
    public String toString() {
        return requests + "/" + per;
    }
}
