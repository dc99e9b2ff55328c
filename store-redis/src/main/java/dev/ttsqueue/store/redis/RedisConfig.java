package dev.ttsqueue.store.redis;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * How a node reaches Redis. Immutable; make one with {@link #builder(String)}.
 *
 * <p>The URI is Lettuce's: {@code redis://[[user:]password@]host[:port][/database]}, {@code rediss://...}
 * for TLS, {@code redis-sentinel://[[user:]password@]host1[:port1][,host2[:port2]]...[/database]#masterName}
 * for Sentinel ({@code rediss-sentinel://} with TLS), and, ours since Lettuce has none,
 * {@code redis-cluster://[[user:]password@]host1[:port1][,host2[:port2]]...} for Redis Cluster
 * ({@code rediss-cluster://} with TLS; any reachable seed suffices). {@link #toString()} and every
 * message the stores write show it without the password.
 *
 * @param uri where Redis is
 * @param keyPrefix name every key starts with, inside a hash tag ({@code {ttsq}:...}); queues that
 *     share one Redis need different prefixes. Default {@code ttsq}
 * @param nodeId this node's name, for logs; default host name and process id
 * @param commandTimeout how long one command may take before it counts as a failure (the store is
 *     then unavailable); default 2 s
 * @param outageWriteRetry how long the end of a run (its output audio, its completion) is retried
 *     while Redis is unreachable before the worker gives up; the job then runs again elsewhere
 *     after its lease. Default 2 min
 */
public record RedisConfig(String uri, String keyPrefix, String nodeId, Duration commandTimeout, Duration outageWriteRetry) {

    private static final List<String> SCHEMES = List.of("redis", "rediss", "redis-sentinel", "rediss-sentinel", "redis-cluster",
            "rediss-cluster");

    public RedisConfig {
        Objects.requireNonNull(uri, "uri");
        String scheme = scheme(uri);
        if (!SCHEMES.contains(scheme)) {
            throw new IllegalArgumentException("Redis URI must start with redis://, rediss://, redis-sentinel://, "
                    + "rediss-sentinel://, redis-cluster:// or rediss-cluster://: " + redact(uri));
        }
        Objects.requireNonNull(keyPrefix, "keyPrefix");
        Objects.requireNonNull(nodeId, "nodeId");
        if (nodeId.isBlank()) {
            throw new IllegalArgumentException("node id must not be blank");
        }
        positive(commandTimeout, "commandTimeout");
        Objects.requireNonNull(outageWriteRetry, "outageWriteRetry");
        if (outageWriteRetry.isNegative()) {
            throw new IllegalArgumentException("outageWriteRetry must not be negative");
        }
    }

    /** A configuration for {@code uri} with every other setting at its default. */
    public static Builder builder(String uri) {
        return new Builder(uri);
    }

    /** Host name and process id, e.g. {@code gpu-3:4711}: unique among the nodes of one machine and across machines. */
    public static String defaultNodeId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "localhost";
        }
        return host + ":" + ProcessHandle.current().pid();
    }

    /** The URI without its password, e.g. for a log line. */
    public String redactedUri() {
        return redact(uri);
    }

    @Override
    public String toString() {
        return "RedisConfig[uri=" + redactedUri() + ", keyPrefix=" + keyPrefix + ", nodeId=" + nodeId + ", commandTimeout="
                + commandTimeout + ", outageWriteRetry=" + outageWriteRetry + "]";
    }

    /**
     * {@code uri} with the password in its user part replaced by {@code ****}; a value without a
     * scheme is shown as it is unless it holds an {@code @}, and then hidden whole.
     */
    public static String redact(String uri) {
        int schemeEnd = uri.indexOf("://");
        if (schemeEnd < 0) {
            return uri.indexOf('@') < 0 ? uri : "<hidden>";
        }
        int start = schemeEnd + 3;
        int at = uri.lastIndexOf('@');
        if (at < start) {
            return uri;
        }
        String user = uri.substring(start, at);
        int colon = user.indexOf(':');
        String shown = colon < 0 ? "****" : user.substring(0, colon) + ":****";
        if (colon == 0) {
            shown = ":****";
        }
        return uri.substring(0, start) + shown + uri.substring(at);
    }

    private static String scheme(String uri) {
        int end = uri.indexOf("://");
        return end < 0 ? "" : uri.substring(0, end).toLowerCase(Locale.ROOT);
    }

    /** True for a {@code redis-cluster://} or {@code rediss-cluster://} URI. */
    public boolean isCluster() {
        return scheme(uri).endsWith("-cluster");
    }

    /** True when {@code value} names a Redis store (one of the URI schemes above). */
    public static boolean isRedisUri(String value) {
        return value != null && SCHEMES.contains(scheme(value));
    }

    private static void positive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive");
        }
    }

    /** Checks that a plain {@code redis://} URI parses as a URI, so a typo fails with its own message. */
    static void checkSyntax(String uri) {
        if (scheme(uri).endsWith("sentinel") || scheme(uri).endsWith("cluster")) {
            return; // several hosts after the scheme: not a java.net.URI; parsed when connecting
        }
        try {
            URI parsed = new URI(uri);
            if (parsed.getHost() == null) {
                throw new IllegalArgumentException("Redis URI has no host: " + redact(uri));
            }
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("Redis URI is not valid: " + redact(uri));
        }
    }

    /** Builds a {@link RedisConfig}. */
    public static final class Builder {
        private final String uri;
        private String keyPrefix = "ttsq";
        private String nodeId = defaultNodeId();
        private Duration commandTimeout = Duration.ofSeconds(2);
        private Duration outageWriteRetry = Duration.ofMinutes(2);

        private Builder(String uri) {
            this.uri = Objects.requireNonNull(uri, "uri");
        }

        public Builder keyPrefix(String value) {
            this.keyPrefix = Objects.requireNonNull(value, "keyPrefix");
            return this;
        }

        public Builder nodeId(String value) {
            this.nodeId = Objects.requireNonNull(value, "nodeId");
            return this;
        }

        public Builder commandTimeout(Duration value) {
            this.commandTimeout = value;
            return this;
        }

        public Builder outageWriteRetry(Duration value) {
            this.outageWriteRetry = value;
            return this;
        }

        /** @throws IllegalArgumentException for a URI of another scheme, or a value out of range */
        public RedisConfig build() {
            RedisConfig config = new RedisConfig(uri, keyPrefix, nodeId, commandTimeout, outageWriteRetry);
            checkSyntax(uri);
            return config;
        }
    }
}
