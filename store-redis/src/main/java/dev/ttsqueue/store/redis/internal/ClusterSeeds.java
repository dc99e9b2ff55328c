package dev.ttsqueue.store.redis.internal;

import io.lettuce.core.RedisURI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a {@code redis-cluster://[[user:]password@]host1[:port1][,host2[:port2]...]} URI (or
 * {@code rediss-cluster://} for TLS) into the seed nodes Lettuce's cluster client starts from:
 * Lettuce has no URI form for a cluster, so this is ours. Any one reachable seed suffices; the
 * client learns the rest of the cluster from it.
 */
final class ClusterSeeds {
    private ClusterSeeds() {
    }

    /** @throws IllegalArgumentException (without the password) when the URI names no host, or a port is not a number */
    static List<RedisURI> parse(String uri, Duration timeout, String clientName) {
        String scheme = uri.substring(0, uri.indexOf("://")).toLowerCase(java.util.Locale.ROOT);
        boolean ssl = scheme.startsWith("rediss");
        String rest = uri.substring(uri.indexOf("://") + 3);
        String user = null;
        String password = null;
        int at = rest.lastIndexOf('@');
        if (at >= 0) {
            String credentials = rest.substring(0, at);
            rest = rest.substring(at + 1);
            int colon = credentials.indexOf(':');
            if (colon < 0) {
                password = credentials;
            } else {
                user = credentials.substring(0, colon).isEmpty() ? null : credentials.substring(0, colon);
                password = credentials.substring(colon + 1);
            }
        }
        int end = rest.length();
        for (char c : new char[] {'/', '?', '#'}) {
            int i = rest.indexOf(c);
            if (i >= 0 && i < end) {
                end = i;
            }
        }
        List<RedisURI> seeds = new ArrayList<>();
        for (String hostPort : rest.substring(0, end).split(",")) {
            if (hostPort.isBlank()) {
                continue;
            }
            int colon = hostPort.lastIndexOf(':');
            String host = colon < 0 ? hostPort : hostPort.substring(0, colon);
            int port;
            try {
                port = colon < 0 ? RedisURI.DEFAULT_REDIS_PORT : Integer.parseInt(hostPort.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("Redis cluster URI has a port that is not a number: " + hostPort);
            }
            RedisURI.Builder b = RedisURI.Builder.redis(host.strip(), port).withSsl(ssl).withTimeout(timeout).withClientName(clientName);
            if (password != null) {
                b = user == null ? b.withPassword(password.toCharArray()) : b.withAuthentication(user, password.toCharArray());
            }
            seeds.add(b.build());
        }
        if (seeds.isEmpty()) {
            throw new IllegalArgumentException("Redis cluster URI names no host");
        }
        return seeds;
    }
}
