package dev.ttsqueue.server.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ttsqueue.spi.Identifiers;
import jakarta.ws.rs.core.MultivaluedMap;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.MimeTypes;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Serves the two requests users send most straight from Jetty, ahead of Jersey:
 * {@code POST /jobs/submit}, thousands a second while a queue fills, and
 * {@code GET /jobs/{id}/status}, which clients poll. Jersey's routing, filters and providers cost
 * about as much CPU per request as a memory-store submit itself (the bare Jetty answer to
 * {@code /health} costs 30 µs, Jersey's 73 µs), and neither request needs what they offer.
 *
 * <p>It answers exactly as the Jersey resources do, because it runs the same code: a submission
 * goes to {@link JsonSubmit}, a status to {@link Tenancy#job} and {@link WireFormat#status}, a
 * failure to {@link ErrorMapper}, the answer through the same {@link ObjectMapper}, with the same
 * CORS headers ({@link CorsFilter#headersFor}). It takes only requests it can answer that way, and
 * leaves everything else to Jersey, which answers it as it always has:
 * <ul>
 * <li>a request whose {@code Host} the host check refuses, or without a valid {@code X-API-Key}
 *     when keys are required (Jersey's filters answer 400 and 401);
 * <li>an {@code Accept} header that does not plainly take JSON (Jersey negotiates, and may answer 406);
 * <li>a job id that is not plainly one ({@link Identifiers#isSafe}: escapes, dots, slashes);
 * <li>any other method or path, and a path spelled otherwise ({@code /jobs/submit/}).
 * </ul>
 * Cross-origin requests that would change something were refused before this handler, by
 * {@link OriginCheckHandler}; bodies are whole and within their limits ({@link BodyArrivalHandler}).
 */
public final class DirectRoutesHandler extends Handler.Wrapper {
    static final String SUBMIT = "/jobs/submit";
    private static final String JOBS = "/jobs/";
    private static final String STATUS = "/status";

    private final ServerContext ctx;
    private final JsonSubmit submit;
    private final ObjectMapper mapper;
    private final ErrorMapper errors = new ErrorMapper();
    private final CorsFilter cors;
    /** Null when every host is served. */
    private final HostCheckFilter hosts;
    /** Null when no key is required. */
    private final TenantKeys keys;

    /**
     * @param hosts the host check Jersey runs, null when there is none
     * @param keys the keys Jersey requires, null when it requires none
     */
    public DirectRoutesHandler(Handler next, ServerContext ctx, CorsFilter cors, HostCheckFilter hosts, TenantKeys keys) {
        super(next);
        this.ctx = ctx;
        this.submit = new JsonSubmit(ctx);
        this.mapper = ctx.mapper();
        this.cors = cors;
        this.hosts = hosts;
        this.keys = keys;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String path = request.getHttpURI().getPath();
        String method = request.getMethod();
        String statusOf = null;
        if ("GET".equals(method)) {
            statusOf = statusJobId(path);
            if (statusOf == null) {
                return super.handle(request, response, callback);
            }
        } else if (!"POST".equals(method) || !SUBMIT.equals(path)) {
            return super.handle(request, response, callback);
        }
        HttpFields headers = request.getHeaders();
        if (hosts != null && !hosts.allows(headers.get(HttpHeader.HOST))) {
            return super.handle(request, response, callback);
        }
        TenantKeys.Grant grant = TenantKeys.Grant.OPEN;
        if (keys != null) {
            String given = headers.get(ApiKeyFilter.HEADER);
            Optional<TenantKeys.Grant> found = given == null ? Optional.empty() : keys.find(given);
            if (found.isEmpty()) {
                return super.handle(request, response, callback);
            }
            grant = found.get();
        }
        if (!takesJson(headers.getValuesList(HttpHeader.ACCEPT))) {
            return super.handle(request, response, callback);
        }
        int status;
        Object entity;
        MultivaluedMap<String, Object> extra = null;
        try {
            if (statusOf != null) {
                entity = WireFormat.status(ctx.tenancy().job(grant, statusOf), ctx.queue().audioStore());
            } else {
                byte[] body;
                try (InputStream in = Request.asInputStream(request)) {
                    body = in.readAllBytes();
                }
                entity = submit.submit(body, grant);
            }
            status = 200;
        } catch (Exception e) {
            jakarta.ws.rs.core.Response mapped = errors.toResponse(e);
            status = mapped.getStatus();
            entity = mapped.getEntity();
            extra = mapped.getHeaders();
        }
        byte[] json = mapper.writeValueAsBytes(entity);
        response.setStatus(status);
        HttpFields.Mutable out = response.getHeaders();
        out.put(HttpHeader.CONTENT_TYPE, MimeTypes.Type.APPLICATION_JSON.asString());
        cors.headersFor(headers.get(HttpHeader.ORIGIN)).forEach(out::put);
        if (extra != null) {
            for (Map.Entry<String, List<Object>> h : extra.entrySet()) {
                if (!h.getKey().equalsIgnoreCase("Content-Type") && !h.getValue().isEmpty()) {
                    out.put(h.getKey(), String.valueOf(h.getValue().get(0)));
                }
            }
        }
        out.put(HttpHeader.CONTENT_LENGTH, json.length);
        response.write(true, ByteBuffer.wrap(json), callback);
        return true;
    }

    /** The id in {@code /jobs/{id}/status}, when the path is that and the id plainly an id; otherwise null. */
    static String statusJobId(String path) {
        if (path == null || !path.startsWith(JOBS) || !path.endsWith(STATUS) || path.length() <= JOBS.length() + STATUS.length()) {
            return null;
        }
        String id = path.substring(JOBS.length(), path.length() - STATUS.length());
        return Identifiers.isSafe(id) ? id : null;
    }

    /**
     * True when the answer may be JSON without negotiating: no {@code Accept}, or one that names
     * {@code application/json}, {@code application/*} or {@code *}{@code /*} and gives nothing a
     * weight (a {@code q} parameter, which could be 0, is left to Jersey).
     */
    static boolean takesJson(List<String> accept) {
        if (accept.isEmpty()) {
            return true;
        }
        boolean json = false;
        for (String header : accept) {
            for (String range : header.split(",")) {
                String r = range.trim().toLowerCase(java.util.Locale.ROOT);
                if (r.contains("q=")) {
                    return false;
                }
                int semicolon = r.indexOf(';');
                String type = (semicolon < 0 ? r : r.substring(0, semicolon)).trim();
                json |= type.equals("application/json") || type.equals("application/*") || type.equals("*/*");
            }
        }
        return json;
    }
}
