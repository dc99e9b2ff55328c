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
@Priority(Priorities.AUTHENTICATION - 200)
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
        if (!allows(host)) {
            String name = normalize(host);
            ctx.abortWith(Response.status(400).type(MediaType.APPLICATION_JSON_TYPE)
                    .entity(WireFormat.detail("Invalid host header: this server answers to " + String.join(", ", allowed.stream().sorted().toList())
                            + "; add the name with --allowed-hosts " + name + " (ServerConfig.allowedHosts when embedded)"))
                    .build());
        }
    }

    /** True when a request with this {@code Host} header (null: none) is served. */
    public boolean allows(String host) {
        if (host == null || host.isBlank()) {
            return true;
        }
        String name = normalize(host);
        // An address literal cannot be rebound: DNS rebinding needs a name the attacker controls.
        return allowed.contains(name) || isAddressLiteral(name);
    }

    /**
     * A host as the filter compares it: lower case, without a port or a final dot, IPv6 literals
     * in brackets ({@code ::1} and {@code [::1]:8000} both become {@code [::1]}).
     */
    public static String normalize(String host) {
        String h = host.trim().toLowerCase(Locale.ROOT);
        if (!h.startsWith("[") && h.indexOf(':') != h.lastIndexOf(':')) {
            h = "[" + h + "]"; // a bare IPv6 literal, as given to --host or --allowed-hosts
        }
        h = withoutPort(h);
        return h.endsWith(".") && h.length() > 1 ? h.substring(0, h.length() - 1) : h;
    }

    private static final java.util.regex.Pattern IPV4 = java.util.regex.Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final java.util.regex.Pattern IPV6 = java.util.regex.Pattern.compile("\\[[0-9a-f:.]+]");

    /** An IPv4 or bracketed IPv6 literal; checked by shape, so no name is ever looked up. */
    static boolean isAddressLiteral(String name) {
        return IPV4.matcher(name).matches() || IPV6.matcher(name).matches();
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
