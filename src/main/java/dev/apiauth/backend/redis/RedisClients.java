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
    /** The default namespace on a cluster client: its hash tag puts every key in one slot. */
    static final String DEFAULT_CLUSTER_NAMESPACE = "{apiauth}:";
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

    /**
     * The namespace, checked against the client: in Redis Cluster every key of a namespace must hash to one slot (the
     * writes are scripts over several keys), so it needs a hash tag. The default becomes {@value #DEFAULT_CLUSTER_NAMESPACE}
     * on a cluster client; a configured namespace without a tag fails the deployment rather than being renamed under
     * data that may already be stored.
     */
    static String namespace(Context context, Config client) {
        ConfigReader in = new ConfigReader(context::config);
        String configured = in.optionalMatching(NAMESPACE, Pattern.compile("\\S{1,100}"), "a key prefix without spaces, e.g. apiauth:");
        in.throwIfProblems();
        if (configured == null) {
            return client.isClusterConfig() ? DEFAULT_CLUSTER_NAMESPACE : DEFAULT_NAMESPACE;
        }
        if (client.isClusterConfig() && hashTag(configured) == null) {
            throw new ApiAuthConfigurationException(NAMESPACE + "=" + configured + " is invalid for Redis Cluster; expected a"
                    + " namespace with a hash tag, so that all of its keys share one slot, e.g. " + tagged(configured));
        }
        return configured;
    }

    /**
     * The namespace, if every key under it hashes to one slot wherever that matters: on a cluster client it must hold
     * a hash tag.
     *
     * @throws IllegalArgumentException when the client is a cluster client and the namespace has no hash tag
     */
    static String requireOneSlot(Config client, String namespace) {
        if (client.isClusterConfig() && hashTag(namespace) == null) {
            throw new IllegalArgumentException("namespace " + namespace + " has no hash tag: in Redis Cluster the keys of a"
                    + " namespace must share one slot; use e.g. " + tagged(namespace));
        }
        return namespace;
    }

    /** {@code shop:keys:} as {@code {shop:keys}:}: the suggestion of the refusals. */
    private static String tagged(String namespace) {
        return "{" + namespace.replace("{", "").replace("}", "").replaceAll(":+$", "") + "}:";
    }

    /**
     * The hash tag Redis Cluster hashes keys starting with {@code prefix} by, or null: the text between the first
     * {@code {}} and the first {@code }} after it, when not empty (Redis's own rule; an empty or unclosed tag hashes
     * the whole key).
     */
    static String hashTag(String prefix) {
        int open = prefix.indexOf('{');
        if (open < 0) {
            return null;
        }
        int close = prefix.indexOf('}', open + 1);
        return close > open + 1 ? prefix.substring(open + 1, close) : null;
    }

    /** {@code apiauth.redis.confirm-replicas} and {@code -timeout} for this client. */
    static ReplicaAcks replicaAcks(Context context, Config client) {
        ConfigReader in = new ConfigReader(context::config);
        ReplicaAcks acks = ReplicaAcks.read(in, client);
        in.throwIfProblems();
        return acks;
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
