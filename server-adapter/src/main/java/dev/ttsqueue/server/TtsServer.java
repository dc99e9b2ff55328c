package dev.ttsqueue.server;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ttsqueue.TtsJobQueue;
import dev.ttsqueue.server.internal.AccessLog;
import dev.ttsqueue.server.internal.ApiKeyFilter;
import dev.ttsqueue.server.internal.AudioResource;
import dev.ttsqueue.server.internal.AudioStreamResource;
import dev.ttsqueue.server.internal.BodyArrivalHandler;
import dev.ttsqueue.server.internal.BodyLimits;
import dev.ttsqueue.server.internal.CorsFilter;
import dev.ttsqueue.server.internal.DashboardResource;
import dev.ttsqueue.server.internal.ErrorMapper;
import dev.ttsqueue.server.internal.EventStreams;
import dev.ttsqueue.server.internal.FailedWritesHandler;
import dev.ttsqueue.server.internal.HostCheckFilter;
import dev.ttsqueue.server.internal.JobEventsResource;
import dev.ttsqueue.server.internal.JobsResource;
import dev.ttsqueue.server.internal.JsonBodyWriter;
import dev.ttsqueue.server.internal.JsonErrorHandler;
import dev.ttsqueue.server.internal.DirectRoutesHandler;
import dev.ttsqueue.server.internal.QueueEventsResource;
import dev.ttsqueue.server.internal.OriginCheckHandler;
import dev.ttsqueue.server.internal.OriginPolicy;
import dev.ttsqueue.server.internal.ReferencePaths;
import dev.ttsqueue.server.internal.ServerContext;
import dev.ttsqueue.server.internal.ServerMetrics;
import dev.ttsqueue.server.internal.ShutdownHooks;
import dev.ttsqueue.server.internal.SseEventWrites;
import dev.ttsqueue.server.internal.ServiceResource;
import dev.ttsqueue.server.internal.SyncResource;
import dev.ttsqueue.server.internal.TempFolders;
import dev.ttsqueue.server.internal.Tenancy;
import dev.ttsqueue.server.internal.TenantVoices;
import dev.ttsqueue.server.internal.TenantKeys;
import dev.ttsqueue.server.internal.TenantQuotas;
import dev.ttsqueue.server.internal.WorkersResource;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.glassfish.jersey.inject.hk2.AbstractBinder;
import org.glassfish.jersey.jetty.JettyHttpContainer;
import org.glassfish.jersey.media.multipart.MultiPartFeature;
import org.glassfish.jersey.media.multipart.MultiPartProperties;
import org.glassfish.jersey.server.ContainerFactory;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.ServerProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The REST server: the F5-TTS FastAPI server's HTTP API (see {@code API.md}) in front of a
 * {@link TtsJobQueue}. It only translates HTTP to calls of the queue's public API and back.
 *
 * <pre>{@code
 * try (TtsJobQueue queue = TtsJobQueue.builder().backend(backend).build();
 *      TtsServer server = TtsServer.start(ServerConfig.defaults().withPort(0), queue)) {
 *     System.out.println("listening on " + server.port());
 * }
 * }</pre>
 *
 * <p>The standalone server ({@link Launcher}) builds its queue from the command line and serves it here.
 * HTTP requests run on threads named {@code ttsq-http-N}; answers of the synchronous endpoints
 * and audio streams on {@code ttsq-http-bg-N}; event streams are written, when they have something
 * to write, by a few {@code ttsq-sse-writer-N} and kept alive by {@code ttsq-sse-heartbeat}.
 */
public final class TtsServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TtsServer.class);

    private final Server jetty;
    private final ServerContext context;
    private final int port;
    private final Path tempDir;

    private TtsServer(Server jetty, ServerContext context, int port, Path tempDir) {
        this.jetty = jetty;
        this.context = context;
        this.port = port;
        this.tempDir = tempDir;
    }

    /**
     * Starts serving {@code queue} on {@code config.host():config.port()} (port 0 picks a free one).
     * The queue stays the caller's: {@link #close()} stops the server, not the queue. The server
     * tells time by the queue's clock ({@link TtsJobQueue#config()}), so upload expiry it checks
     * itself (downloads, listings) agrees with the queue's.
     *
     * <p>With {@link ServerConfig#apiKeysFile()}, each key's tenant reaches the jobs it submits
     * and sees only its own; the weights in the file are the standalone server's to give its
     * queue ({@code TtsJobQueue.Builder.tenantWeights}): an embedder gives them to its queue.
     *
     * @throws IOException when the address cannot be bound
     * @throws IllegalArgumentException when the keys file cannot be read or has a wrong line
     */
    public static TtsServer start(ServerConfig config, TtsJobQueue queue) throws IOException {
        return start(config, queue, QueueEventsResource.BACKLOG_EVENTS);
    }

    /** {@link #start(ServerConfig, TtsJobQueue)} with another backlog for queue-wide event streams (tests make it small). */
    static TtsServer start(ServerConfig config, TtsJobQueue queue, int eventBacklog) throws IOException {
        return start(config, queue, keys(config), eventBacklog);
    }

    /**
     * The keys the server accepts: the {@code apiKeysFile}'s, or the single {@code apiKey}
     * (anonymous tenant, admin), or null for none.
     *
     * @throws IllegalArgumentException when the keys file cannot be read or has a wrong line
     */
    static TenantKeys keys(ServerConfig config) {
        if (config.apiKeysFile() != null) {
            return TenantKeys.read(config.apiKeysFile());
        }
        return config.apiKey() == null ? null : TenantKeys.single(config.apiKey());
    }

    /**
     * Starts with the keys already read ({@code keys}, null for none), as the standalone server
     * does: it reads them first, to give the queue the tenants' weights.
     */
    static TtsServer start(ServerConfig config, TtsJobQueue queue, TenantKeys keys, int eventBacklog) throws IOException {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(queue, "queue");
        Clock clock = queue.config().clock();
        ObjectMapper mapper = new ObjectMapper();
        mapper.getFactory().disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
        ExecutorService background = new ThreadPoolExecutor(0, 1024, 60, TimeUnit.SECONDS, new SynchronousQueue<>(),
                namedThreads("ttsq-http-bg-"));
        ServerMetrics metrics = new ServerMetrics(queue);
        if (config.apiKeysFile() != null && keys != null) {
            metrics.watchTenants(queue, keys.tenants());
        }
        Path tempDir = TempFolders.create();
        ServerContext ctx = new ServerContext(queue, config, mapper, metrics,
                new ReferencePaths(queue.audioStore(), queue.voiceBank()), background, version(), clock,
                maxFieldBytes(config, queue), new ShutdownHooks(), tempDir, eventBacklog,
                new Tenancy(queue, new TenantQuotas(queue, clock), new TenantVoices(queue.voiceBank(),
                        config.apiKeysFile() != null && keys != null ? keys.tenants() : List.of())),
                new EventStreams());

        ResourceConfig rc = new ResourceConfig();
        rc.setApplicationName("ttsqueue-server");
        rc.register(new AbstractBinder() {
            @Override
            protected void configure() {
                bind(ctx).to(ServerContext.class);
            }
        });
        rc.registerClasses(ServiceResource.class, AudioResource.class, SyncResource.class, JobsResource.class, JobEventsResource.class,
                QueueEventsResource.class, AudioStreamResource.class, WorkersResource.class, DashboardResource.class);
        rc.register(new ErrorMapper());
        rc.register(new JsonBodyWriter(mapper));
        rc.register(new SseEventWrites());
        Set<String> hosts = allowedHosts(config);
        HostCheckFilter hostCheck = hosts == null ? null : new HostCheckFilter(hosts);
        if (hostCheck != null) {
            rc.register(hostCheck);
        }
        OriginPolicy origins = OriginPolicy.of(config.corsOrigins(), boundToLoopback(config));
        CorsFilter cors = new CorsFilter(origins);
        rc.register(cors);
        if (keys != null) {
            rc.register(new ApiKeyFilter(keys, config.metricsOpen()));
        }
        rc.register(MultiPartFeature.class);
        // Jersey reads these from a resolver, not from the application's properties: no form has
        // more than a dozen fields, and thousands of tiny parts would cost a file or a buffer each.
        rc.register(new MultiPartProperties().maxParts(MAX_FORM_PARTS).tempDir(tempDir.toString()).resolver());
        rc.property(ServerProperties.WADL_FEATURE_DISABLE, true);
        rc.property(ServerProperties.BV_FEATURE_DISABLE, true);
        rc.property(ServerProperties.RESPONSE_SET_STATUS_OVER_SEND_ERROR, true);
        rc.property(ServerProperties.PROCESSING_RESPONSE_ERRORS_ENABLED, true);

        QueuedThreadPool threads = new QueuedThreadPool(200, 4);
        threads.setName("ttsq-http");
        Server jetty = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        ServerConnector connector = new ServerConnector(jetty, new HttpConnectionFactory(http));
        connector.setHost(config.host());
        connector.setPort(config.port());
        // Silent connections (no bytes at all, even mid-headers) are closed after this; it does not
        // cut off a request waiting for its job, nor an event stream (a comment every 15 s).
        connector.setIdleTimeout(TimeUnit.SECONDS.toMillis(60));
        // Room for bursts of new connections (a thousand clients at once) without the kernel dropping
        // SYNs, which would cost their senders a second or more before they retry.
        connector.setAcceptQueueSize(ACCEPT_QUEUE);
        jetty.addConnector(connector);
        // Bodies arrive before Jersey, which reads them blocking, takes a thread for the request.
        // POST /jobs/submit and GET /jobs/{id}/status, the requests sent most, are answered below
        // Jersey, by the same code (DirectRoutesHandler).
        BodyArrivalHandler bodies = new BodyArrivalHandler(
                new DirectRoutesHandler(new FailedWritesHandler(ContainerFactory.createContainer(JettyHttpContainer.class, rc)),
                        ctx, cors, hostCheck, keys),
                bodyLimits(config, ctx.maxFieldBytes()), tempDir, ctx.shutdown(), cors);
        metrics.watchArrivingBodies(bodies::bodiesArriving, bodies::bytesHeld);
        // Lets stop() wait (up to the stop timeout) for requests in flight instead of cutting them off.
        // Cross-site requests that would change something are refused before their body is read.
        OriginCheckHandler originCheck = new OriginCheckHandler(bodies, origins);
        GracefulHandler graceful = new GracefulHandler();
        graceful.setHandler(originCheck);
        jetty.setHandler(graceful);
        jetty.setErrorHandler(new JsonErrorHandler());
        jetty.setStopTimeout(TimeUnit.SECONDS.toMillis(5));
        try {
            if (config.accessLog() != null) {
                jetty.setRequestLog(AccessLog.to(config.accessLog()));
            }
            jetty.start();
        } catch (Exception e) {
            stopQuietly(jetty);
            background.shutdownNow();
            ctx.eventStreams().close();
            metrics.close();
            TempFolders.deleteTree(tempDir);
            throw e instanceof IOException io ? io : new IOException("could not start the HTTP server on "
                    + config.host() + ":" + config.port() + ": " + e.getMessage(), e);
        }
        int bound = connector.getLocalPort();
        log.info("TTS server listening on http://{}:{}/ (docs at /docs){}", config.host(), bound,
                keys == null ? "" : keys.size() == 1 && config.apiKeysFile() == null ? ", API key required"
                        : ", API keys required (" + keys + ")");
        log.info("browser pages allowed to use the API: {}", origins.describe());
        origins.startWarning(keys != null).ifPresent(log::warn);
        return new TtsServer(jetty, ctx, bound, tempDir);
    }

    /**
     * Slowest request body accepted, in bytes per second, after {@link #BODY_GRACE_SECONDS} seconds
     * of credit from its first byte (50 MiB still fit in under four hours). A body that stops
     * altogether ends at the idle timeout. Bodies hold no thread while they arrive; this bounds how
     * long one may hold its spool space.
     */
    public static final long MIN_REQUEST_BYTES_PER_SECOND = 4 * 1024;

    /** Credit a request body gets before {@link #MIN_REQUEST_BYTES_PER_SECOND} applies: small bodies and short pauses pass. */
    public static final long BODY_GRACE_SECONDS = 20;

    /** Connections the kernel may hold for the server before it accepts them. */
    static final int ACCEPT_QUEUE = 1024;

    /**
     * Limits on bodies while they arrive: memory for waiting bodies at most 64 MiB (an eighth of
     * the heap on small heaps), and memory plus spool files at most 16 uploads of the largest size
     * (1 GiB at least); beyond that, bodies are refused with 503 until others are done.
     */
    static BodyLimits bodyLimits(ServerConfig config, long maxFieldBytes) {
        long memory = Math.min(64L << 20, Runtime.getRuntime().maxMemory() / 8);
        long spool = Math.max(1L << 30, 16 * config.maxUploadBytes());
        return new BodyLimits(config.maxUploadBytes(), maxFieldBytes, MIN_REQUEST_BYTES_PER_SECOND, BODY_GRACE_SECONDS, memory, spool);
    }

    /** Parts a multipart request may have; the forms of the API have at most a dozen fields. */
    public static final int MAX_FORM_PARTS = 64;

    /**
     * Largest body that is not a multipart upload (JSON, URL-encoded form), and largest text field
     * of a multipart form: such bodies are read whole into memory. Room for the longest text the
     * queue accepts, 16 bytes per character (JSON escapes of surrogate pairs take 12), at least 1 MiB;
     * the upload limit when the text length is not limited at all.
     */
    static long maxFieldBytes(ServerConfig config, TtsJobQueue queue) {
        int text = queue.maxTextLength();
        if (text <= 0) {
            return config.maxUploadBytes();
        }
        return Math.min(config.maxUploadBytes(), Math.max(1L << 20, 16L * text + (64 << 10)));
    }

    /**
     * The {@code Host} names to serve, or null for any: the configured names plus the loopback
     * ones; with none configured, the loopback names when bound to a loopback address (any
     * otherwise: an operator who binds elsewhere chose to be reached under other names).
     */
    static Set<String> allowedHosts(ServerConfig config) {
        if (config.allowedHosts().contains("*")) {
            return null;
        }
        if (config.allowedHosts().isEmpty()) {
            if (!boundToLoopback(config)) {
                return null;
            }
            Set<String> names = new TreeSet<>(HostCheckFilter.LOOPBACK_NAMES);
            names.add(HostCheckFilter.normalize(config.host())); // 127.0.1.1, a name in /etc/hosts, ...
            return names;
        }
        Set<String> names = new TreeSet<>(HostCheckFilter.LOOPBACK_NAMES);
        config.allowedHosts().forEach(h -> names.add(HostCheckFilter.normalize(h)));
        names.add(HostCheckFilter.normalize(config.host()));
        return names;
    }

    /** Whether the server binds a loopback address: only this machine can reach it. */
    static boolean boundToLoopback(ServerConfig config) {
        try {
            return InetAddress.getByName(config.host()).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false; // Jetty's bind reports it
        }
    }

    /** The TCP port the server is bound to. */
    public int port() {
        return port;
    }

    /** The queue it serves. */
    public TtsJobQueue queue() {
        return context.queue();
    }

    /**
     * Stops the server: synchronous requests still waiting cancel their jobs and answer 503, event
     * streams end, then it stops accepting connections, finishes requests in flight (up to 5 s) and
     * frees its threads. Idempotent.
     */
    @Override
    public void close() {
        context.shutdown().runAll();
        stopQuietly(jetty);
        context.background().shutdownNow();
        context.eventStreams().close();
        context.metrics().close();
        TempFolders.deleteTree(tempDir);
    }

    /** The server's event streams (tests shorten their heartbeat, write timeout and cap). */
    EventStreams eventStreams() {
        return context.eventStreams();
    }

    static String version() {
        try (InputStream in = TtsServer.class.getResourceAsStream("/dev/ttsqueue/server/version.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                return p.getProperty("version", "unknown");
            }
        } catch (IOException e) {
            // fall through
        }
        return "unknown";
    }

    private static ThreadFactory namedThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.getAndIncrement());
            t.setDaemon(true);
            return t;
        };
    }

    private static void stopQuietly(Server jetty) {
        try {
            jetty.stop();
        } catch (Exception e) {
            log.warn("stopping the HTTP server failed: {}", e.toString());
        }
    }
}
