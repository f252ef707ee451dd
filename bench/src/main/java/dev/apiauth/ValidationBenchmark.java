package dev.apiauth;

import dev.apiauth.ApiKeyRequired.Match;
import dev.apiauth.backend.memory.MemoryBackend;
import dev.apiauth.internal.KeyCodec;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Full validation on the memory backend (what the JAX-RS filter calls), per outcome. Usage tracking is on,
 * as by default (it records in memory on the request path; the flush is not measured here).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = "-Xmx1g")
public class ValidationBenchmark {

    private ApiKeyService service;
    private ApiKeyValidator validator;
    private String valid;
    private String limited;
    private String unknown;
    private String junk;
    private String expired;
    private final ScopeRequirement anyKey = ScopeRequirement.ANY_KEY;
    private final ScopeRequirement admin = ScopeRequirement.of(Match.ALL, "admin");

    @Setup
    public void setUp() {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        service = ApiKeyService.builder(new MemoryBackend()).clock(clock).usageTracking(true, null).build();
        for (int i = 0; i < 1000; i++) {
            service.create(KeyRequest.of("filler", "owner-" + i, "read"));
        }
        valid = service.create(KeyRequest.of("valid", "bench", "read")).plaintext();
        // the highest limit: one thread asks faster than a million a second, so after the first second about one call in
        // four is admitted and the rest refused; both do the same work (the bucket's lock, a refill, a compare)
        limited = service.create(KeyRequest.of("limited", "bench", "read")
                .withRateLimit(RateLimit.of(RateLimit.MAX_REQUESTS, Duration.ofSeconds(1)))).plaintext();
        expired = service.create(KeyRequest.of("expired", "bench", "read").expiringAt(clock.instant().plusSeconds(60))).plaintext();
        clock.advance(Duration.ofMinutes(2));
        unknown = new KeyCodec("ak_").generate();
        junk = valid.substring(0, valid.length() - 1) + (valid.endsWith("A") ? "B" : "A");
        validator = service.validator();
    }

    @TearDown
    public void tearDown() {
        service.close();
    }

    @Benchmark
    public ValidationResult validKey() {
        return validator.validate(valid, anyKey);
    }

    /** What the filter does for a key with a rate limit: validate, then take one request from its bucket. */
    @Benchmark
    public RateLimiter.Decision validKeyWithRateLimit() {
        ValidationResult result = validator.validate(limited, anyKey);
        return service.acquire(result.key());
    }

    @Benchmark
    public ValidationResult unknownKeyWithValidChecksum() {
        return validator.validate(unknown, anyKey);
    }

    @Benchmark
    public ValidationResult junkKeyBadChecksum() {
        return validator.validate(junk, anyKey);
    }

    @Benchmark
    public ValidationResult expiredKey() {
        return validator.validate(expired, anyKey);
    }

    @Benchmark
    public ValidationResult missingScope() {
        return validator.validate(valid, admin);
    }
}
