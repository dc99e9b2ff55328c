package dev.ttsqueue.server.internal;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which web pages a browser lets use the server: the origins that get CORS headers, and the ones
 * whose requests that change something ({@code POST}, {@code PUT}, {@code PATCH}, {@code DELETE},
 * any method but {@code GET}, {@code HEAD} and {@code OPTIONS}) are refused before their body is
 * read. A browser sends {@code Origin} with every such request, also with a plain HTML form, which
 * needs no preflight; clients that are not browsers (curl, Python, the Java client) send none and
 * are never refused here.
 *
 * <p>The setting ({@code --cors-origins}, {@code ServerConfig.corsOrigins}) is a list of:
 * <ul>
 *   <li>nothing (the default): automatic. Bound to a loopback address, the {@linkplain #LOOPBACK_ORIGINS
 *       loopback origins}: pages served from this machine's loopback names, any port, http or https.
 *       Bound elsewhere, none: only the server's own pages (same origin).
 *   <li>{@code *}: any origin, {@code Access-Control-Allow-Origin: *}, nothing refused: the old
 *       server's behaviour. Alone in the list.
 *   <li>{@code none}: no other origin at all. Alone in the list.
 *   <li>{@code loopback}: the loopback origins, with whatever else is listed.
 *   <li>origins, {@code scheme://host[:port]} exactly as a browser sends them ({@code https://app.example.com},
 *       {@code http://localhost:3000}), or with {@code :*} for any port ({@code http://localhost:*}).
 * </ul>
 * {@code null}, the origin of sandboxed frames and {@code file://} pages, which any site can make,
 * cannot be listed: only {@code *} lets such pages in.
 *
 * <p>A request always may come from the server's own origin (its {@code Host}), whatever the list:
 * Swagger UI at {@code /docs} sends {@code Origin} with the requests it tries out.
 */
public final class OriginPolicy {
    public static final String ANY = "*";
    public static final String NONE = "none";
    public static final String LOOPBACK = "loopback";
    /** What {@value #LOOPBACK} and the automatic setting on loopback stand for. */
    public static final List<String> LOOPBACK_ORIGINS = List.of("http://localhost:*", "http://127.0.0.1:*", "http://[::1]:*",
            "https://localhost:*", "https://127.0.0.1:*", "https://[::1]:*");

    private static final int ANY_PORT = -2;
    private static final int NO_PORT = -1;
    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS");
    // Lower-cased before matching. Host: a DNS name or address (no wildcards, no user info), or a bracketed IPv6 literal.
    private static final Pattern ORIGIN = Pattern.compile("([a-z][a-z0-9+.-]*)://(\\[[0-9a-f:.]+]|[a-z0-9_.-]+)(?::(\\d{1,5}|\\*))?");

    /** One allowed origin; port {@link #ANY_PORT} for any, {@link #NO_PORT} for a scheme without a default port given none. */
    private record Allowed(String scheme, String host, int port) {
        boolean matches(Origin o) {
            return scheme.equals(o.scheme()) && host.equals(o.host()) && (port == ANY_PORT || port == o.port());
        }
    }

    /** An origin as sent by a browser, its port made explicit where the scheme has a default. */
    private record Origin(String scheme, String host, int port) {
    }

    private final boolean any;
    private final List<Allowed> allowed;
    private final List<String> shown;

    private OriginPolicy(boolean any, List<String> entries) {
        this.any = any;
        this.shown = List.copyOf(entries);
        List<Allowed> a = new ArrayList<>();
        for (String e : entries) {
            Matcher m = ORIGIN.matcher(e);
            if (!m.matches()) {
                throw new IllegalStateException(e); // normalize() let it through
            }
            String port = m.group(3);
            a.add(new Allowed(m.group(1), m.group(2), "*".equals(port) ? ANY_PORT : port(m.group(1), port)));
        }
        this.allowed = List.copyOf(a);
    }

    /**
     * The policy for a server bound to a loopback address or not.
     *
     * @param corsOrigins the setting, as {@link #normalize(List)} accepts it
     * @throws IllegalArgumentException for an entry {@link #normalize(List)} refuses
     */
    public static OriginPolicy of(List<String> corsOrigins, boolean boundToLoopback) {
        List<String> entries = normalize(corsOrigins);
        if (entries.equals(List.of(ANY))) {
            return new OriginPolicy(true, List.of());
        }
        if (entries.isEmpty()) {
            return new OriginPolicy(false, boundToLoopback ? LOOPBACK_ORIGINS : List.of());
        }
        Set<String> expanded = new LinkedHashSet<>();
        for (String e : entries) {
            if (e.equals(LOOPBACK)) {
                expanded.addAll(LOOPBACK_ORIGINS);
            } else if (!e.equals(NONE)) {
                expanded.add(e);
            }
        }
        return new OriginPolicy(false, List.copyOf(expanded));
    }

    /**
     * The setting in one spelling: entries trimmed, blank ones dropped, origins in lower case
     * without a trailing slash or their scheme's default port ({@code HTTP://App.Example:80/} is
     * {@code http://app.example}), keywords in lower case.
     *
     * @throws IllegalArgumentException naming {@code --cors-origins} for an entry that is not an
     *     origin, {@code null}, or {@code *} / {@code none} beside other entries
     */
    public static List<String> normalize(List<String> corsOrigins) {
        Set<String> out = new LinkedHashSet<>();
        for (String raw : corsOrigins) {
            String e = raw == null ? "" : raw.trim().toLowerCase(Locale.ROOT);
            if (e.isEmpty()) {
                continue;
            }
            if (e.equals(ANY) || e.equals(NONE) || e.equals(LOOPBACK)) {
                out.add(e);
                continue;
            }
            if (e.equals("null")) {
                throw new IllegalArgumentException("--cors-origins cannot list 'null': it is the origin of sandboxed frames and "
                        + "file:// pages, which any web site can open; only '*' lets them in");
            }
            if (e.endsWith("/")) {
                e = e.substring(0, e.length() - 1);
            }
            Matcher m = ORIGIN.matcher(e);
            String port = m.matches() ? m.group(3) : null;
            if (!m.matches() || (port != null && !port.equals("*") && Integer.parseInt(port) > 65_535)) {
                throw new IllegalArgumentException("--cors-origins: '" + raw.trim() + "' is not an origin. List origins as a browser "
                        + "sends them, scheme://host[:port] (https://app.example.com, http://localhost:3000), with :* for any port "
                        + "(http://localhost:*); or give *, none or loopback" + (e.contains("*.") ? ". Host wildcards are not "
                        + "supported: list each origin" : ""));
            }
            String scheme = m.group(1);
            boolean defaultPort = port != null && !port.equals("*") && Integer.parseInt(port) == defaultPort(scheme);
            out.add(scheme + "://" + m.group(2) + (port == null || defaultPort ? "" : ":" + (port.equals("*") ? "*" : Integer.parseInt(port))));
        }
        if (out.size() > 1 && (out.contains(ANY) || out.contains(NONE))) {
            throw new IllegalArgumentException("--cors-origins: '" + (out.contains(ANY) ? ANY : NONE)
                    + "' stands alone; it cannot be listed with other entries: " + String.join(",", out));
        }
        return List.copyOf(out);
    }

    /** Whether every origin is allowed ({@code *}): CORS answers say {@code *} and nothing is refused. */
    public boolean allowsAnyOrigin() {
        return any;
    }

    /**
     * The {@code Access-Control-Allow-Origin} value for a request that sent {@code origin}:
     * {@code *} when any is allowed, {@code origin} itself when it is, else null (also for no
     * {@code Origin} at all).
     */
    public String allowOriginValue(String origin) {
        if (origin == null) {
            return null;
        }
        if (any) {
            return ANY;
        }
        Optional<Origin> o = parse(origin);
        return o.isPresent() && allowed.stream().anyMatch(a -> a.matches(o.get())) ? origin.trim() : null;
    }

    /**
     * Why a request must be refused before anything of it is read, or empty when it may go on.
     * Only requests that may change something are refused: a browser sends them whatever CORS
     * says and only hides the answer. Refused: those with an {@code Origin} that is neither allowed
     * nor the server's own (its {@code Host}), {@code Origin: null} included; and those without one
     * that the browser marked {@code Sec-Fetch-Site: cross-site} (an extension or proxy dropped the
     * {@code Origin} that browsers send with every such request). Never under {@code *}.
     *
     * @param host the request's {@code Host} header; null when it has none
     * @param secFetchSite the request's {@code Sec-Fetch-Site} header; null when it has none
     * @return the {@code detail} of the 403 answer
     */
    public Optional<String> refusal(String method, String origin, String host, String secFetchSite) {
        if (any || SAFE_METHODS.contains(method)) {
            return Optional.empty();
        }
        if (origin == null) {
            if (secFetchSite != null && secFetchSite.trim().equalsIgnoreCase("cross-site")) {
                return Optional.of("Cross-origin request refused: the browser sent it from another site (Sec-Fetch-Site: cross-site) "
                        + "without an Origin to check it against --cors-origins");
            }
            return Optional.empty();
        }
        if (allowOriginValue(origin) != null || sameOrigin(origin, host)) {
            return Optional.empty();
        }
        return Optional.of(refusalDetail(origin, "may not change anything on this server"));
    }

    /** The {@code detail} of the 403 answer to a preflight from an origin that is not allowed. */
    public String preflightRefusal(String origin) {
        return refusalDetail(origin, "may not call this server");
    }

    private String refusalDetail(String origin, String what) {
        String o = origin.trim();
        if (o.equals("null")) {
            return "Cross-origin request refused: a page without an origin of its own (Origin: null: a sandboxed frame or a "
                    + "file:// page) " + what + "; only --cors-origins '*' lets such pages in";
        }
        // Echoed only once it has the shape of an origin: the header is the client's to fill.
        Optional<Origin> parsed = parse(o);
        return parsed.map(p -> "Cross-origin request refused: a page from " + o + " " + what
                        + "; allow its origin with --cors-origins " + o + " (ServerConfig.corsOrigins when embedded)")
                .orElse("Cross-origin request refused: the Origin header is not an origin this server allows");
    }

    /**
     * Whether {@code origin} names the host and port the request was sent to ({@code Host}),
     * whatever its scheme: behind a TLS proxy a page on {@code https://tts.example.com} reaches the
     * server as plain HTTP with {@code Host: tts.example.com}.
     */
    static boolean sameOrigin(String origin, String host) {
        Optional<Origin> o = parse(origin);
        if (o.isEmpty() || host == null || host.isBlank()) {
            return false;
        }
        String h = host.trim().toLowerCase(Locale.ROOT);
        String name = HostCheckFilter.withoutPort(h);
        String rest = h.substring(name.length());
        int port;
        if (rest.isEmpty()) {
            port = defaultPort(o.get().scheme());
        } else if (rest.matches(":\\d{1,5}")) {
            port = Integer.parseInt(rest.substring(1));
        } else {
            return false;
        }
        if (name.endsWith(".") && name.length() > 1) {
            name = name.substring(0, name.length() - 1);
        }
        return name.equals(o.get().host()) && port == o.get().port();
    }

    private static Optional<Origin> parse(String origin) {
        String s = origin.trim().toLowerCase(Locale.ROOT);
        Matcher m = ORIGIN.matcher(s);
        if (!m.matches() || "*".equals(m.group(3))) {
            return Optional.empty();
        }
        int port = port(m.group(1), m.group(3));
        if (port > 65_535) {
            return Optional.empty();
        }
        String host = m.group(2);
        if (host.endsWith(".") && host.length() > 1) {
            host = host.substring(0, host.length() - 1);
        }
        return Optional.of(new Origin(m.group(1), host, port));
    }

    private static int port(String scheme, String port) {
        return port == null ? defaultPort(scheme) : Integer.parseInt(port);
    }

    private static int defaultPort(String scheme) {
        return switch (scheme) {
            case "http" -> 80;
            case "https" -> 443;
            default -> NO_PORT;
        };
    }

    /** Says which pages are let in, for the start-up log. */
    public String describe() {
        if (any) {
            return "any origin (--cors-origins *)";
        }
        if (shown.isEmpty()) {
            return "the server's own origin only";
        }
        if (shown.equals(LOOPBACK_ORIGINS)) {
            return "pages on loopback (http and https on localhost, 127.0.0.1 and [::1], any port) and the server's own origin";
        }
        return String.join(", ", shown) + " and the server's own origin";
    }

    /** The warning to log at start, if any: every origin let in, and no API key to stop them. */
    public Optional<String> startWarning(boolean apiKeySet) {
        if (!any || apiKeySet) {
            return Optional.empty();
        }
        return Optional.of("--cors-origins * and no --api-key: any web page opened in a browser that can reach this server "
                + "can list, download, submit, upload and delete on it. Set --api-key, or list the origins that need the API");
    }
}
