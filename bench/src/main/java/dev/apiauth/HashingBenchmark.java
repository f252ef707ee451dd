package dev.apiauth;

import dev.apiauth.internal.KeyCodec;
import dev.apiauth.internal.KeyHasher;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** The floor of a lookup by hash: one SHA-256 (hex) of a typical generated key. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = "-Xmx1g")
public class HashingBenchmark {

    private final KeyHasher hasher = KeyHasher.unpeppered();
    private String key;

    @Setup
    public void setUp() {
        key = new KeyCodec("ak_").generate();
    }

    @Benchmark
    public String sha256Baseline() {
        return hasher.hash(key);
    }
}
