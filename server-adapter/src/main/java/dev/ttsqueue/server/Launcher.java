package dev.ttsqueue.server;

import dev.ttsqueue.TtsJobQueue;
import dev.ttsqueue.TtsQueueException;
import dev.ttsqueue.server.internal.CommandLineOptions;
import dev.ttsqueue.server.internal.QueueEventsResource;
import dev.ttsqueue.server.internal.StandaloneQueue;
import dev.ttsqueue.server.internal.TenantKeys;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Map;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * The standalone server ({@code bin/ttsqueue-server}): reads the command line and the
 * environment ({@code --help} lists both), builds the queue, serves it with {@link TtsServer}
 * until SIGTERM/SIGINT, then closes the server and the queue.
 *
 * <p>Exit codes: 0 after {@code --help} or {@code --version}; 2 for a bad command line (one line
 * naming the option, and a pointer to {@code --help}); 1 when the server cannot start (the port
 * is taken, the data folder is another server's, the model cannot be loaded).
 */
public final class Launcher {
    private static final Logger log = LoggerFactory.getLogger(Launcher.class);
    private static final String NAME = "ttsqueue-server";
    /** What {@link #run} returns when the server is up and serving. */
    static final int RUNNING = -1;

    private Launcher() {
    }

    /** Runs the standalone server; see the class comment for the exit codes. */
    public static void main(String[] args) {
        int code = run(args, System.getenv(), System.out, System.err);
        if (code != RUNNING) {
            System.exit(code);
        }
    }

    /** The JVM, its heap limit and its garbage collector, as the operator's first question about a slow or big process. */
    static String jvmSummary() {
        String collectors = ManagementFactory.getGarbageCollectorMXBeans().stream()
                .map(GarbageCollectorMXBean::getName).collect(Collectors.joining(", "));
        return "Java " + Runtime.version() + " (" + System.getProperty("java.vm.name") + "), heap up to "
                + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MiB, garbage collector: " + collectors;
    }

    /**
     * Starts the server as {@link #main} does, writing usage, version and start-up failures to
     * {@code out} and {@code err}.
     *
     * @return {@link #RUNNING} once the server serves (a shutdown hook stops it), else the exit code
     */
    static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        if (CommandLineOptions.asksForHelp(args)) {
            out.print(CommandLineOptions.usage());
            return 0;
        }
        if (CommandLineOptions.asksForVersion(args)) {
            out.println(NAME + " " + TtsServer.version());
            return 0;
        }
        CommandLineOptions.Parsed options;
        try {
            options = CommandLineOptions.parse(args, env);
        } catch (IllegalArgumentException e) {
            err.println(NAME + ": " + e.getMessage());
            err.println("Run '" + NAME + " --help' for the options.");
            return 2;
        }
        ServerConfig http = options.server();
        TenantKeys keys;
        try {
            keys = TtsServer.keys(http);
        } catch (IllegalArgumentException e) {
            err.println(NAME + ": " + e.getMessage());
            return 2;
        }
        // Before the database is opened or a model loaded: a second server on a taken port must
        // neither take the data folder's lock nor spend a minute loading the model to learn that.
        String taken = portTaken(http.host(), http.port());
        if (taken != null) {
            err.println(NAME + ": " + taken);
            return 1;
        }
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        log.info("{}", jvmSummary());
        TtsJobQueue queue;
        try {
            queue = StandaloneQueue.build(options.standalone(), keys == null ? Map.of() : keys.weights());
        } catch (Exception | Error e) {
            if (e instanceof TtsQueueException) {
                // Written for the operator (a store in use, a damaged database): the message says
                // it all, and a stack trace would bury it.
                log.error("could not build the queue: {}", e.getMessage());
                log.debug("could not build the queue", e);
            } else {
                log.error("could not build the queue: {}", e.getMessage(), e);
            }
            return 1;
        }
        TtsServer server;
        try {
            server = TtsServer.start(http, queue, keys, QueueEventsResource.BACKLOG_EVENTS);
        } catch (IOException | RuntimeException e) {
            log.error("{}", e.getMessage());
            queue.close();
            return 1;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("shutting down: closing the HTTP server, then the queue");
            server.close();
            queue.close();
        }, "ttsq-shutdown"));
        return RUNNING;
    }

    /**
     * Why {@code host:port} cannot be bound, or null when it can (it is released again at once;
     * the HTTP server binds it a moment later). Port 0 is always free.
     */
    static String portTaken(String host, int port) {
        if (port == 0) {
            return null;
        }
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true); // as Jetty binds: a port left in TIME_WAIT by a stopped server is free
            probe.bind(new InetSocketAddress(host, port));
            return null;
        } catch (BindException e) {
            return "port " + port + " on " + host + " is already in use (" + e.getMessage()
                    + "): is another server running there? Choose another port with --port";
        } catch (IOException e) {
            return "cannot listen on " + host + ":" + port + ": " + e.getMessage();
        }
    }
}
