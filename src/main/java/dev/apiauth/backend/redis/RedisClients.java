package dev.apiauth.backend.redis;

import dev.apiauth.ApiAuthConfigurationException;
import dev.apiauth.backend.BackendProvider.Context;
import dev.apiauth.internal.ConfigReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;
import org.redisson.config.ReadMode;

/** The Redis client and namespace the Redis backends use: the application's own client, or one built from config. */
final class RedisClients {

    static final String ADDRESS = "apiauth.redis.address";
    static final String CONFIG = "apiauth.redis.config";
    static final String NAMESPACE = "apiauth.redis.namespace";
    static final String DEFAULT_ADDRESS = "redis://127.0.0.1:6379";
    static final String DEFAULT_NAMESPACE = "apiauth:";
    /** Command and connect timeouts of a client built from {@code apiauth.redis.address}. */
    static final int TIMEOUT_MILLIS = 1000;
    static final String CLIENT_TYPE = "org.redisson.api.RedissonClient";
    private static final Logger LOG = Logger.getLogger(RedisClients.class.getName());
    /** A {@code readMode} setting on a line of its own (not commented out). */
    private static final Pattern READ_MODE = Pattern.compile("(?m)^\\s*readMode:\\s*\"?([A-Z_]+)");

    private RedisClients() {
    }

    static void requireRedisson(String backend) {
        try {
            Class.forName(CLIENT_TYPE, false, RedisClients.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            throw new ApiAuthConfigurationException("apiauth.backend=" + backend + " needs Redisson: add the dependency"
                    + " org.redisson:redisson (4.7.0 is tested) to the application");
        }
    }

    static String namespace(Context context) {
        ConfigReader in = new ConfigReader(context::config);
        String namespace = in.matching(NAMESPACE, DEFAULT_NAMESPACE, Pattern.compile("\\S{1,100}"), "a key prefix without spaces, e.g. apiauth:");
        in.throwIfProblems();
        return namespace;
    }

    /** The application's {@code RedissonClient} bean if it has one (left to it to shut down), else one from config. */
    static RedissonClient client(Context context) {
        Optional<RedissonClient> own = context.bean(RedissonClient.class);
        own.ifPresent(client -> warnAboutReplicaReads(client.getConfig(), "the application's RedissonClient"));
        return own.orElseGet(() -> fromConfig(context));
    }

    /**
     * Revocations must be read where they are written: a client the library builds for sentinel or cluster reads
     * from the master unless its YAML chose otherwise (Redisson's default, {@code SLAVE}, makes a revocation wait
     * on replication, and a lagging replica can refill a near cache with the old record).
     */
    static void readFromMaster(Config config, String yaml) {
        if (yaml != null && READ_MODE.matcher(yaml).find()) {
            return; // chosen explicitly: respected, and warned about below if not MASTER
        }
        if (config.isSentinelConfig()) {
            config.useSentinelServers().setReadMode(ReadMode.MASTER);
        } else if (config.isClusterConfig()) {
            config.useClusterServers().setReadMode(ReadMode.MASTER);
        }
    }

    /** The read mode of a client's configuration when it reads from replicas, else empty. */
    static Optional<String> replicaReadMode(Config config) {
        String yaml;
        try {
            yaml = config.toYAML();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
        Matcher mode = READ_MODE.matcher(yaml);
        while (mode.find()) {
            if (!mode.group(1).equals("MASTER")) {
                return Optional.of(mode.group(1));
            }
        }
        return Optional.empty();
    }

    private static void warnAboutReplicaReads(Config config, String whose) {
        replicaReadMode(config).ifPresent(mode -> LOG.warning(whose + " reads from replicas (readMode: " + mode + "): a revoked"
                + " key can be accepted until the revocation reaches the replica, and a lagging replica can refill a near"
                + " cache with the old record. Set readMode: \"MASTER\" in its configuration"));
    }

    private static RedissonClient fromConfig(Context context) {
        ConfigReader in = new ConfigReader(context::config);
        String yaml = in.optionalString(CONFIG);
        String address = in.optionalString(ADDRESS);
        if (address == null) {
            address = DEFAULT_ADDRESS;
        } else if (!Pattern.compile("rediss?://\\S+").matcher(address).matches()) {
            // the value may hold a password (user:secret@host without a scheme): never printed
            in.problemWithoutValue(ADDRESS, "expected a Redis URI such as redis://127.0.0.1:6379 or rediss://user:password@host:6380");
        }
        in.throwIfProblems();
        Config config;
        if (yaml != null) {
            try {
                String text = Files.readString(Path.of(yaml));
                config = Config.fromYAML(text);
                readFromMaster(config, text);
                warnAboutReplicaReads(config, CONFIG + "=" + yaml);
            } catch (IOException | RuntimeException e) {
                // the parser's message may quote the file, passwords included: name the problem, not the text
                throw new ApiAuthConfigurationException(CONFIG + "=" + yaml + " is invalid; expected a readable Redisson YAML"
                        + " configuration file (" + e.getClass().getSimpleName() + ")");
            }
        } else {
            config = new Config();
            config.useSingleServer().setAddress(address)
                    .setTimeout(TIMEOUT_MILLIS).setConnectTimeout(TIMEOUT_MILLIS)
                    .setRetryAttempts(1).setRetryInterval(100)
                    .setConnectionMinimumIdleSize(2).setSubscriptionConnectionMinimumIdleSize(1);
            // one Netty event loop per core instead of Redisson's 32: with 16 requests in flight, 32 loops wake one
            // thread per reply, fewer loops read several replies per wake-up (bench/http.sh profile: the guard's
            // server CPU per request on redis from 151 to 85 us on two cores)
            config.setNettyThreads(Math.max(2, Runtime.getRuntime().availableProcessors()));
        }
        // start even when Redis is down: requests fail closed (redis) or use the primary (redis-cache) until it is up
        config.setLazyInitialization(true);
        RedissonClient client = Redisson.create(config);
        context.onClose(client::shutdown);
        return client;
    }
}
