package dev.ttsqueue.server.internal;

import jakarta.inject.Singleton;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.CacheControl;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * {@code GET /dashboard}: the operator's page, plain HTML, CSS and JavaScript from the jar (no
 * build step, nothing from other sites, so it works offline). The files hold no data and no key:
 * they are served without the API key, and the page asks for the key before it calls the API.
 * A strict Content-Security-Policy lets the page run only its own script and reach only this
 * server.
 */
@Path("/dashboard")
@Singleton
public final class DashboardResource {
    private static final String FOLDER = "/dev/ttsqueue/server/dashboard/";
    private static final String PAGE = "dashboard.html";
    /** The page's own files, under {@code /dashboard/}; the page itself is {@code /dashboard} (its links are relative to it). */
    private static final Map<String, String> ASSETS = Map.of(
            "dashboard.css", "text/css; charset=utf-8",
            "dashboard.js", "application/javascript; charset=utf-8");
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; media-src 'self' blob:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private final byte[] page;
    private final Map<String, byte[]> assets;

    public DashboardResource() {
        page = read(PAGE);
        assets = Map.of("dashboard.css", read("dashboard.css"), "dashboard.js", read("dashboard.js"));
    }

    @GET
    public Response page() {
        return file(page, "text/html; charset=utf-8");
    }

    @GET
    @Path("{file}")
    public Response asset(@PathParam("file") String file) {
        if (!ASSETS.containsKey(file)) {
            throw ApiException.notFound("Not Found");
        }
        return file(assets.get(file), ASSETS.get(file));
    }

    private static Response file(byte[] content, String type) {
        CacheControl cache = new CacheControl();
        cache.setNoCache(true); // a new server version brings a new page; revalidation is cheap
        return Response.ok(content, type).cacheControl(cache)
                .header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
                .header("X-Content-Type-Options", "nosniff")
                .header("Referrer-Policy", "no-referrer")
                .build();
    }

    private static byte[] read(String name) {
        try (InputStream in = DashboardResource.class.getResourceAsStream(FOLDER + name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + FOLDER + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
