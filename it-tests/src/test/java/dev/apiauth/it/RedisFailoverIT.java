package dev.apiauth.it;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The default build's short case of {@link FailoverReliability}: the demo on Payara Micro under load, on a
 * Sentinel-managed master and replica with the near cache, and one kill of the master right after a revocation was
 * acknowledged. No revoked or unknown key is accepted, and the service recovers without a redeploy.
 */
class RedisFailoverIT {

    @Test
    void aRevocationSurvivesTheMastersDeathUnderLoad() throws Exception {
        Path dir = PayaraProcess.freshDir(Path.of(System.getProperty("apiauth.build", "target"), "failover-it"));
        List<FailoverReliability.Result> results = List.of(FailoverReliability.run("sentinel", "redis-near", 1, dir));
        FailoverReliability.report(results, dir.resolve("failover.md"));
        FailoverReliability.check(results);
    }
}
