package dev.ttsqueue.server.internal;

import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Cross-origin access for browser clients on the origins {@link OriginPolicy} allows (a page on
 * another origin running the old guide's {@code fetch} loop, with {@code --cors-origins}).
 * Preflight requests are answered here, before the API key check, since browsers never send
 * custom headers on a preflight: 200 with the CORS headers for an allowed origin, 403 for any
 * other. Requests from an origin that is not allowed get no CORS headers, so the browser keeps the
 * answer from the page; those that would change something never get this far
 * ({@link OriginCheckHandler}).
 */
@PreMatching
@Priority(Priorities.AUTHENTICATION - 100)
public final class CorsFilter implements ContainerRequestFilter, ContainerResponseFilter {
    private static final String METHODS = "GET, POST, DELETE, OPTIONS";
    private static final String HEADERS = "Content-Type, X-API-Key, Last-Event-ID";
    private static final String EXPOSED = "Content-Disposition, Retry-After";

    private final OriginPolicy policy;

    public CorsFilter(OriginPolicy policy) {
        this.policy = Objects.requireNonNull(policy, "policy");
    }

    @Override
    public void filter(ContainerRequestContext request) {
        String origin = request.getHeaderString("Origin");
        if ("OPTIONS".equals(request.getMethod()) && origin != null
                && request.getHeaderString("Access-Control-Request-Method") != null) {
            String allowed = policy.allowOriginValue(origin);
            if (allowed == null) {
                request.abortWith(Response.status(403).type(MediaType.APPLICATION_JSON_TYPE)
                        .entity(WireFormat.detail(policy.preflightRefusal(origin))).build());
                return;
            }
            Response.ResponseBuilder b = Response.ok().header("Access-Control-Allow-Origin", allowed)
                    .header("Access-Control-Allow-Methods", METHODS).header("Access-Control-Allow-Headers", HEADERS)
                    .header("Access-Control-Max-Age", 600);
            if ("true".equalsIgnoreCase(request.getHeaderString("Access-Control-Request-Private-Network"))) {
                // Chrome asks this before a public page may call a server on a private address or loopback.
                b.header("Access-Control-Allow-Private-Network", "true");
            }
            request.abortWith(b.build());
        }
    }

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        MultivaluedMap<String, Object> h = response.getHeaders();
        headersFor(request.getHeaderString("Origin")).forEach((name, value) -> {
            if (name.equals("Vary")) {
                addVary(h, value);
            } else {
                h.putSingle(name, value);
            }
        });
    }

    /**
     * The CORS headers of an answer to a request that sent {@code origin} (null: none): the
     * allowed origin and the exposed headers when it is allowed, and {@code Vary: Origin} unless
     * every origin is. The answer depends on the Origin whether or not it was allowed (and whether
     * or not one was sent): a shared cache must not hand a refused origin's answer to an allowed
     * one, or the reverse.
     */
    public Map<String, String> headersFor(String origin) {
        Map<String, String> out = new LinkedHashMap<>();
        String allowed = policy.allowOriginValue(origin);
        if (allowed != null) {
            out.put("Access-Control-Allow-Origin", allowed);
            out.put("Access-Control-Expose-Headers", EXPOSED);
        }
        if (!policy.allowsAnyOrigin()) {
            out.put("Vary", "Origin");
        }
        return out;
    }

    private static void addVary(MultivaluedMap<String, Object> h, String value) {
        Object present = h.getFirst("Vary");
        if (present == null) {
            h.putSingle("Vary", value);
        } else if (Arrays.stream(present.toString().split(",")).map(String::trim).noneMatch(v -> v.equalsIgnoreCase(value) || v.equals("*"))) {
            h.putSingle("Vary", present + ", " + value);
        }
    }
}
