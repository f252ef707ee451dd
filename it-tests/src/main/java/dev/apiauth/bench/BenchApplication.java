package dev.apiauth.bench;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

/** The benchmark application: deployed as bench.war, so its endpoints are /bench/open, /bench/naive, /bench/key. */
@ApplicationPath("")
public class BenchApplication extends Application {
}
