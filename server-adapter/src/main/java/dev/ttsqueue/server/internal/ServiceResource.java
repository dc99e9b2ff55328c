package dev.ttsqueue.server.internal;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import dev.ttsqueue.InferenceSettings;
import dev.ttsqueue.StoreUnavailableException;
import dev.ttsqueue.spi.BackendInfo;
import dev.ttsqueue.spi.ModelState;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.CacheControl;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Service endpoints: root description, health, metrics, the OpenAPI document and Swagger UI. */
@Path("/")
@Singleton
public final class ServiceResource {
    private static final Logger log = LoggerFactory.getLogger(ServiceResource.class);
    private static final String OPENAPI = "/dev/ttsqueue/server/openapi.json";
    private static final String SWAGGER_POM = "/META-INF/maven/org.webjars/swagger-ui/pom.properties";
    private static final Pattern ASSET = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,100}");
    private static final Map<String, String> ASSET_TYPES = Map.of(
            "js", "application/javascript", "css", "text/css", "png", "image/png", "html", "text/html",
            "map", "application/json", "json", "application/json");

    private final ServerContext ctx;
    private final byte[] openApi;
    private final String swaggerVersion;

    @Inject
    public ServiceResource(ServerContext ctx) {
        this.ctx = ctx;
        this.openApi = resource(OPENAPI);
        this.swaggerVersion = swaggerVersion();
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> root() {
        BackendInfo b = ctx.queue().backendInfo();
        Map<String, Object> endpoints = new LinkedHashMap<>();
        endpoints.put("upload_audio", "POST /upload-audio");
        endpoints.put("upload_permanent_voice", "POST /upload-permanent-voice");
        endpoints.put("list_voices", "GET /list-voices");
        endpoints.put("delete_voice", "DELETE /voices/{voice_name}");
        endpoints.put("tts_generate", "POST /tts-generate");
        endpoints.put("tts_permanent", "POST /tts-permanent");
        endpoints.put("voice_cloning", "POST /voice-cloning");
        endpoints.put("download_audio", "GET /download-audio/{file_id}");
        endpoints.put("delete_audio", "DELETE /audio/{file_id}");
        endpoints.put("list_audio", "GET /list-audio");
        endpoints.put("submit_job", "POST /jobs/submit");
        endpoints.put("job_status", "GET /jobs/{job_id}/status");
        endpoints.put("job_result", "GET /jobs/{job_id}/result");
        endpoints.put("job_events", "GET /jobs/{job_id}/events");
        endpoints.put("queue_events", "GET /jobs/events");
        endpoints.put("cancel_job", "DELETE /jobs/{job_id}");
        endpoints.put("list_jobs", "GET /jobs");
        endpoints.put("queue_status", "GET /jobs/queue-status");
        endpoints.put("cleanup_jobs", "POST /jobs/cleanup");
        endpoints.put("tts_generate_async", "POST /jobs/tts-generate-async");
        endpoints.put("tts_permanent_async", "POST /jobs/tts-permanent-async");
        endpoints.put("voice_cloning_async", "POST /jobs/voice-cloning-async");
        endpoints.put("workers", "GET /workers");
        endpoints.put("dashboard", "GET /dashboard");
        endpoints.put("health", "GET /health");
        endpoints.put("metrics", "GET /metrics");
        endpoints.put("docs", "GET /docs");
        endpoints.put("openapi", "GET /openapi.json");

        Map<String, Object> model = new LinkedHashMap<>();
        model.put("name", b.name());
        model.put("device", b.device());
        model.put("sample_rate", b.sampleRate());
        model.put("clones_voices", b.clonesVoices());
        model.put("workers", ctx.queue().workers());

        Map<String, Object> advanced = new LinkedHashMap<>();
        advanced.put("speed", range(InferenceSettings.MIN_SPEED, InferenceSettings.MAX_SPEED, "Speaking rate; 1.0 is the reference pace"));
        Map<String, Object> nfe = range(InferenceSettings.MIN_NFE_STEP, InferenceSettings.MAX_NFE_STEP,
                "Denoising steps: more is slower and cleaner");
        nfe.put("supported", b.supportedNfeSteps().isEmpty() ? "any" : b.supportedNfeSteps().stream().sorted().toList());
        advanced.put("nfe_step", nfe);
        advanced.put("cross_fade_duration", range(InferenceSettings.MIN_CROSS_FADE, InferenceSettings.MAX_CROSS_FADE,
                "Seconds of cross-fade between text chunks"));
        advanced.put("seed", range(0, InferenceSettings.MAX_SEED, "Fixed seed; outside the range, or randomize_seed=true, draws one"));
        advanced.put("remove_silence", Map.of("description", "Cut long silences from the output"));

        Map<String, Object> m = new LinkedHashMap<>();
        m.put("message", "F5-TTS API Server"); // the old server's words; clients print it
        m.put("version", ctx.version());
        m.put("endpoints", endpoints);
        m.put("model", model);
        m.put("default_settings", WireFormat.settings(InferenceSettings.defaults()));
        m.put("advanced_settings", advanced);
        return m;
    }

    private static Map<String, Object> range(Number min, Number max, String description) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("min", min);
        m.put("max", max);
        m.put("description", description);
        return m;
    }

    @GET
    @Path("health")
    @Produces(MediaType.APPLICATION_JSON)
    public Response health() {
        boolean open = ctx.queue().isOpen();
        int workers = ctx.queue().workers();
        int stuck = 0;
        boolean storeReachable = true;
        if (open) {
            stuck = ctx.queue().stuckWorkers();
            try {
                // The store's counters, the cheapest read every store has: a probe, not a listing.
                ctx.queue().jobCounts();
            } catch (StoreUnavailableException e) {
                // A shared store's server is down: this node can do nothing until it is back (it
                // reconnects by itself), so a load balancer should send requests elsewhere.
                storeReachable = false;
            }
        }
        ModelState model = modelState();
        // Every worker stuck in a backend call that will not return, or the model gone: nothing can
        // run until the process restarts, which is what an orchestrator's liveness probe on 503 does.
        boolean healthy = open && storeReachable && stuck < workers && model.ready();
        BackendInfo b = ctx.queue().backendInfo();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", healthy ? "healthy" : "unhealthy");
        m.put("model_loaded", model.modelLoaded());
        m.put("vocoder_loaded", model.vocoderLoaded());
        m.put("backend", b.name());
        m.put("device", b.device());
        m.put("store", ctx.queue().storeDescription());
        m.put("store_reachable", storeReachable);
        m.put("workers", workers);
        m.put("workers_stuck", stuck);
        return Response.status(healthy ? 200 : 503).entity(m).build();
    }

    /** What the backend says of its model; a backend that cannot say is taken at its word: not loaded. */
    private ModelState modelState() {
        try {
            return ctx.queue().modelState();
        } catch (RuntimeException e) {
            log.warn("the backend could not report whether its model is loaded: {}", e.toString());
            return ModelState.NOT_LOADED;
        }
    }

    @GET
    @Path("metrics")
    @Produces("text/plain; version=0.0.4; charset=utf-8")
    public String metrics() {
        return ctx.metrics().scrape();
    }

    @GET
    @Path("openapi.json")
    @Produces(MediaType.APPLICATION_JSON)
    public byte[] openApi() {
        return openApi;
    }

    @GET
    @Path("docs")
    @Produces(MediaType.TEXT_HTML)
    public String docs() {
        return """
                <!DOCTYPE html>
                <html lang="en">
                <head>
                  <meta charset="utf-8">
                  <title>TTS Job Queue - Swagger UI</title>
                  <link rel="stylesheet" href="/webjars/swagger-ui/swagger-ui.css">
                </head>
                <body>
                  <div id="swagger-ui"></div>
                  <script src="/webjars/swagger-ui/swagger-ui-bundle.js"></script>
                  <script>
                    window.ui = SwaggerUIBundle({url: '/openapi.json', dom_id: '#swagger-ui'});
                  </script>
                </body>
                </html>
                """;
    }

    @GET
    @Path("webjars/swagger-ui/{file}")
    public Response swaggerAsset(@PathParam("file") String file) {
        if (swaggerVersion == null || !ASSET.matcher(file).matches() || file.contains("..")) {
            throw ApiException.notFound("Not Found");
        }
        InputStream in = ServiceResource.class.getResourceAsStream(
                "/META-INF/resources/webjars/swagger-ui/" + swaggerVersion + "/" + file);
        if (in == null) {
            throw ApiException.notFound("Not Found");
        }
        String ext = file.substring(file.lastIndexOf('.') + 1);
        CacheControl cache = new CacheControl();
        cache.setMaxAge(86_400);
        return Response.ok(in, ASSET_TYPES.getOrDefault(ext, MediaType.APPLICATION_OCTET_STREAM)).cacheControl(cache).build();
    }

    private static byte[] resource(String name) {
        try (InputStream in = ServiceResource.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String swaggerVersion() {
        try (InputStream in = ServiceResource.class.getResourceAsStream(SWAGGER_POM)) {
            if (in == null) {
                return null;
            }
            Properties p = new Properties();
            p.load(new java.io.InputStreamReader(in, StandardCharsets.UTF_8));
            return p.getProperty("version");
        } catch (IOException e) {
            return null;
        }
    }
}
