package dev.ttsqueue.server.internal;

import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import java.util.List;

/**
 * Cross-origin access for browser clients (a page on another origin running the old guide's
 * {@code fetch} loop). Preflight requests are answered here, before the API key check, since
 * browsers never send custom headers on a preflight.
 */
@PreMatching
@Priority(Priorities.AUTHENTICATION - 100)
public final class CorsFilter implements ContainerRequestFilter, ContainerResponseFilter {
    private static final String METHODS = "GET, POST, DELETE, OPTIONS";
    private static final String HEADERS = "Content-Type, X-API-Key, Last-Event-ID";

    private final List<String> origins;

    public CorsFilter(List<String> origins) {
        this.origins = List.copyOf(origins);
    }

    @Override
    public void filter(ContainerRequestContext request) {
        String origin = request.getHeaderString("Origin");
        if ("OPTIONS".equals(request.getMethod()) && origin != null
                && request.getHeaderString("Access-Control-Request-Method") != null) {
            Response.ResponseBuilder b = Response.ok();
            String allowed = allowed(origin);
            if (allowed != null) {
                b.header("Access-Control-Allow-Origin", allowed).header("Access-Control-Allow-Methods", METHODS)
                        .header("Access-Control-Allow-Headers", HEADERS).header("Access-Control-Max-Age", 600);
            }
            if (!origins.contains("*")) {
                // The answer depends on the Origin whether or not it was allowed: a shared cache must
                // not hand a refused origin's answer to an allowed one, or the reverse.
                b.header("Vary", "Origin");
            }
            request.abortWith(b.build());
        }
    }

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        String origin = request.getHeaderString("Origin");
        String allowed = origin == null ? null : allowed(origin);
        MultivaluedMap<String, Object> h = response.getHeaders();
        if (allowed != null) {
            h.putSingle("Access-Control-Allow-Origin", allowed);
            h.putSingle("Access-Control-Expose-Headers", "Content-Disposition, Retry-After");
        }
        if (!origins.contains("*") && !h.containsKey("Vary")) {
            h.add("Vary", "Origin"); // with or without an Origin: see the preflight above (which set it already)
        }
    }

    /** The {@code Access-Control-Allow-Origin} value for a request from {@code origin}; null when none is sent or it is not allowed. */
    public String allowedOrigin(String origin) {
        return origin == null ? null : allowed(origin);
    }

    private String allowed(String origin) {
        if (origins.contains("*")) {
            return "*";
        }
        return origins.contains(origin) ? origin : null;
    }
}
