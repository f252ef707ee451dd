package dev.apiauth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Collection;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs every JMH benchmark once, briefly and in this JVM, so that they keep compiling and working; timings
 * are not asserted (bench/jmh.sh measures). The backend benchmarks need PostgreSQL and Redis like the other tests.
 */
class BenchmarksSmokeTest {

    @Test
    void everyBenchmarkRuns() throws Exception {
        Options options = new OptionsBuilder()
                .include("dev\\.apiauth\\..*Benchmark")
                .forks(0)
                .warmupIterations(0)
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(100))
                .param("storedKeys", "1000")
                .shouldFailOnError(true)
                .build();
        Collection<RunResult> results = new Runner(options).run();
        // sha256; five validation outcomes and a rate-limited valid key; scale at 1000; six backends
        assertEquals(14, results.size(), "every benchmark produced a result");
    }
}
