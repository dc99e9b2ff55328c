package dev.ttsqueue.server.internal;

import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Locale;
import java.util.Set;

/**
 * Serves only requests whose {@code Host} names an allowed host. A server on loopback is meant for
 * this machine, yet any web page its user opens can make the browser send requests to it; with DNS
 * rebinding the page's own name resolves to 127.0.0.1 and the browser treats the answers as
 * same-origin, CORS or not. Such requests carry the page's name in {@code Host}, so refusing
 * unknown names closes that door. A request without {@code Host} (HTTP/1.0) passes.
 */
@PreMatching
@Priority(Priorities.AUTHENTICATION - 100)
public final class HostCheckFilter implements ContainerRequestFilter {
    /** Names that always mean this machine. */
    public static final Set<String> LOOPBACK_NAMES = Set.of("localhost", "127.0.0.1", "[::1]");

    private final Set<String> allowed;

    /** @param allowed lower-case host names, without ports; IPv6 literals in brackets */
    public HostCheckFilter(Set<String> allowed) {
        this.allowed = Set.copyOf(allowed);
    }

    @Override
    public void filter(ContainerRequestContext ctx) {
        String host = ctx.getHeaderString("Host");
        if (host == null || host.isBlank()) {
            return;
        }
        String name = withoutPort(host.trim().toLowerCase(Locale.ROOT));
        if (!allowed.contains(name)) {
            ctx.abortWith(Response.status(400).type(MediaType.APPLICATION_JSON_TYPE)
                    .entity(WireFormat.detail("Invalid host header: this server answers to " + String.join(", ", allowed.stream().sorted().toList())
                            + "; start it with --allowed-hosts " + name + " to add that name"))
                    .build());
        }
    }

    /** A configured name as the filter compares it: lower case, without a port. */
    public static String normalize(String host) {
        return withoutPort(host.trim().toLowerCase(Locale.ROOT));
    }

    /** {@code name:port} → {@code name}; {@code [v6]:port} → {@code [v6]}. */
    static String withoutPort(String host) {
        if (host.startsWith("[")) {
            int end = host.indexOf(']');
            return end < 0 ? host : host.substring(0, end + 1);
        }
        int colon = host.lastIndexOf(':');
        return colon >= 0 && host.indexOf(':') == colon ? host.substring(0, colon) : host;
    }
}
