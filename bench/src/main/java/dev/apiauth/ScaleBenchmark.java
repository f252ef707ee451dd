package dev.apiauth;

import dev.apiauth.backend.memory.MemoryBackend;
import dev.apiauth.internal.KeyCodec;
import dev.apiauth.internal.KeyHasher;
import java.time.Instant;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Valid-key validation on the memory backend holding 1k, 100k or 1M keys, each call a different key drawn from
 * 4096 spread over the whole store, so a large store pays its cache misses as it would under real traffic.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = "-Xmx4g")
public class ScaleBenchmark {

    private static final int SAMPLE = 4096;

    @Param({"1000", "100000", "1000000"})
    public int storedKeys;

    private ApiKeyValidator validator;
    private final String[] sample = new String[SAMPLE];
    private int next;

    @Setup
    public void setUp() {
        MemoryBackend backend = new MemoryBackend();
        KeyCodec codec = new KeyCodec("ak_");
        KeyHasher hasher = KeyHasher.unpeppered();
        Random random = new Random(42);
        Instant now = Instant.now();
        int stride = Math.max(1, storedKeys / SAMPLE);
        int taken = 0;
        for (int i = 0; i < storedKeys; i++) {
            String key = codec.generate();
            backend.create(new ApiKey(UUID.randomUUID(), "k", "owner-" + random.nextInt(1000), hasher.hash(key), KeyCodec.hint(key),
                    Set.of("read"), now, null, null, null, Map.of(), 0));
            if (i % stride == 0 && taken < SAMPLE) {
                sample[taken++] = key;
            }
        }
        for (int i = taken; i < SAMPLE; i++) {
            sample[i] = sample[random.nextInt(taken)];
        }
        for (int i = SAMPLE - 1; i > 0; i--) { // shuffle: no sequential access pattern
            int j = random.nextInt(i + 1);
            String t = sample[i];
            sample[i] = sample[j];
            sample[j] = t;
        }
        validator = ApiKeyService.builder(backend).usageTracking(true, null).build().validator();
    }

    @Benchmark
    public ValidationResult validKey() {
        return validator.validate(sample[next++ & (SAMPLE - 1)], ScopeRequirement.ANY_KEY);
    }
}
