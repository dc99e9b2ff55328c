package dev.ttsqueue.server.internal;

import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Optional;
import java.util.Set;

/**
 * Requires {@code X-API-Key} on every path but the open ones (health, the API docs and the
 * dashboard's files, which hold no data), and tells the resources which tenant the key stands
 * for. The lookup takes the same time wherever the keys differ and whichever key matches
 * ({@link TenantKeys#find}), so timing tells nothing about the keys.
 *
 * <p>One exception to the header: a browser's {@code EventSource} and {@code <audio>} element
 * cannot send headers, so {@code GET /jobs/events}, {@code GET /jobs/{id}/events} and
 * {@code GET /jobs/{id}/audio-stream} also take the key as the query parameter {@value #QUERY_PARAMETER}.
 * Nowhere else: a key in a URL can end up in proxy logs, so clients that can send the header
 * should.
 *
 * <p>With {@code metricsOpen}, {@code GET /metrics} is open too, so that a Prometheus scraper
 * needs no key; its counts tell nothing about jobs' contents.
 */
@PreMatching
@Priority(Priorities.AUTHENTICATION)
public final class ApiKeyFilter implements ContainerRequestFilter {
    public static final String HEADER = "X-API-Key";
    public static final String QUERY_PARAMETER = "api_key";
    private static final Set<String> OPEN = Set.of("health", "docs", "openapi.json", "dashboard");
    private static final java.util.regex.Pattern EVENTS = java.util.regex.Pattern.compile("jobs/(events|[^/]+/(events|audio-stream))/?");

    private static final String METRICS = "metrics";

    private final TenantKeys keys;
    private final boolean metricsOpen;

    /** Requires {@code key} everywhere but the open paths, {@code /metrics} included. */
    public ApiKeyFilter(String key) {
        this(TenantKeys.single(key), false);
    }

    /**
     * Requires one of {@code keys} everywhere but the open paths; {@code metricsOpen} adds
     * {@code GET /metrics} to them. The grant of the key sent becomes the request's
     * {@link Tenancy#grant grant}.
     */
    public ApiKeyFilter(TenantKeys keys, boolean metricsOpen) {
        this.keys = keys;
        this.metricsOpen = metricsOpen;
    }

    @Override
    public void filter(ContainerRequestContext ctx) {
        String path = ctx.getUriInfo().getPath();
        while (path.startsWith("/")) {
            path = path.substring(1);
        }
        if (OPEN.contains(path) || path.startsWith("webjars/") || path.startsWith("dashboard/")) {
            return;
        }
        if (metricsOpen && "GET".equals(ctx.getMethod()) && path.equals(METRICS)) {
            return;
        }
        String given = ctx.getHeaderString(HEADER);
        if (given == null && "GET".equals(ctx.getMethod()) && EVENTS.matcher(path).matches()) {
            given = ctx.getUriInfo().getQueryParameters().getFirst(QUERY_PARAMETER);
        }
        if (given == null) {
            ctx.abortWith(unauthorized("Missing API key: send it in the X-API-Key header"));
            return;
        }
        Optional<TenantKeys.Grant> grant = keys.find(given);
        if (grant.isEmpty()) {
            ctx.abortWith(unauthorized("Invalid API key"));
        } else {
            ctx.setProperty(Tenancy.GRANT_PROPERTY, grant.get());
        }
    }

    private static Response unauthorized(String detail) {
        return Response.status(401).type(MediaType.APPLICATION_JSON_TYPE).header("WWW-Authenticate", "ApiKey")
                .entity(WireFormat.detail(detail)).build();
    }
}
