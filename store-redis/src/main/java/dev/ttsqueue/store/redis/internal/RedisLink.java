package dev.ttsqueue.store.redis.internal;

import dev.ttsqueue.StoreUnavailableException;
import dev.ttsqueue.store.redis.RedisConfig;
import dev.ttsqueue.store.redis.RedisStoreException;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.NettyCustomizer;
import io.netty.channel.Channel;
import io.netty.handler.flush.FlushConsolidationHandler;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node's connections to Redis, shared by its job store, audio store and voice bank: a text
 * connection for jobs, a binary one for audio, and a publish/subscribe connection per change
 * subscription; through Lettuce's standalone client (which also follows Sentinel) or its cluster
 * client. Lettuce connections are thread-safe and pipeline the commands of concurrent
 * callers, so one connection serves every thread.
 *
 * <p>Failures are turned into the library's exceptions here, in one place: Redis out of reach
 * (refused, timed out, loading its data after a restart, a replica not yet promoted) becomes
 * {@link StoreUnavailableException}; any other error reply {@link RedisStoreException}. While
 * disconnected, commands fail at once instead of queuing, so a request never waits for a Redis
 * that is down; Lettuce reconnects by itself.
 */
public final class RedisLink implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RedisLink.class);
    /** Error replies that mean "not now" rather than "never". */
    private static final List<String> TRANSIENT = List.of("LOADING", "BUSY", "READONLY", "MASTERDOWN", "TRYAGAIN",
            "CLUSTERDOWN", "NOREPLICAS", "MISCONF");
    private static final long BEST_EFFORT_PAUSE_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final RedisConfig config;
    /**
     * Every command a request thread sends becomes a write task on the connection's event loop,
     * and each task flushed on its own: one {@code write} system call per command, with 32
     * submitting threads a good part of a submit's CPU. Consolidated, a flush waits until the
     * tasks already queued have written too (or until a read in progress ends), and then one
     * system call carries them all. Nothing waits for more commands to arrive.
     */
    private static final NettyCustomizer CONSOLIDATED_FLUSHES = new NettyCustomizer() {
        @Override
        public void afterChannelInitialized(Channel channel) {
            channel.pipeline().addFirst(new FlushConsolidationHandler(FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true));
        }
    };

    private final ClientResources resources;
    private final AbstractRedisClient client;
    private final StatefulConnection<String, String> textConnection;
    private final RedisClusterCommands<String, String> text;
    private final RedisClusterAsyncCommands<String, String> textAsync;
    private final StatefulConnection<String, byte[]> binaryConnection;
    private final RedisClusterCommands<String, byte[]> binary;
    private final Supplier<StatefulRedisPubSubConnection<String, String>> pubSub;
    private final String description;
    /** Until when best-effort writes are skipped after one found Redis unreachable (System.nanoTime). */
    private volatile long bestEffortPausedUntil = System.nanoTime();

    /** What one kind of client (standalone and Sentinel, or cluster) opened. */
    private record Opened(AbstractRedisClient client, StatefulConnection<String, String> textConnection,
            RedisClusterCommands<String, String> text, RedisClusterAsyncCommands<String, String> textAsync,
            StatefulConnection<String, byte[]> binaryConnection,
            RedisClusterCommands<String, byte[]> binary, Supplier<StatefulRedisPubSubConnection<String, String>> pubSub) {
    }

    private RedisLink(RedisConfig config, ClientResources resources, Opened opened, String description) {
        this.config = config;
        this.resources = resources;
        this.client = opened.client();
        this.textConnection = opened.textConnection();
        this.text = opened.text();
        this.textAsync = opened.textAsync();
        this.binaryConnection = opened.binaryConnection();
        this.binary = opened.binary();
        this.pubSub = opened.pubSub();
        this.description = description;
    }

    /**
     * Connects, and checks that Redis answers.
     *
     * @throws StoreUnavailableException when it does not
     * @throws IllegalArgumentException for a URI Lettuce cannot read
     */
    public static RedisLink connect(RedisConfig config) {
        // Names this node's connections in Redis's CLIENT LIST.
        String clientName = "ttsq:" + config.nodeId().replaceAll("\\s", "_");
        List<RedisURI> seeds;
        RedisURI uri = null;
        try {
            if (config.isCluster()) {
                seeds = ClusterSeeds.parse(config.uri(), config.commandTimeout(), clientName);
            } else {
                uri = RedisURI.create(config.uri());
                uri.setTimeout(config.commandTimeout());
                uri.setClientName(clientName);
                seeds = List.of(uri);
            }
        } catch (RuntimeException e) {
            // Lettuce's message may quote the URI, password included.
            throw new IllegalArgumentException("Redis URI is not valid: " + config.redactedUri());
        }
        String description = uri != null ? describe(uri) : describeCluster(config, seeds);
        // Two I/O threads are plenty for one node's traffic; Lettuce's default is one per core.
        ClientResources resources = DefaultClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(2)
                .nettyCustomizer(CONSOLIDATED_FLUSHES).build();
        SocketOptions socket = SocketOptions.builder().connectTimeout(config.commandTimeout()).keepAlive(true).build();
        AbstractRedisClient client = null;
        StatefulConnection<String, String> text = null;
        try {
            Opened opened;
            if (uri != null) {
                RedisClient standalone = RedisClient.create(resources, uri);
                client = standalone;
                standalone.setOptions(ClientOptions.builder()
                        .autoReconnect(true)
                        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                        .timeoutOptions(TimeoutOptions.enabled(config.commandTimeout()))
                        .socketOptions(socket)
                        .build());
                StatefulRedisConnection<String, String> t = connecting(() -> standalone.connect(StringCodec.UTF8));
                text = t;
                StatefulRedisConnection<String, byte[]> b = connecting(() -> standalone.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE)));
                opened = new Opened(standalone, t, t.sync(), t.async(), b, b.sync(), () -> standalone.connectPubSub(StringCodec.UTF8));
            } else {
                RedisClusterClient cluster = RedisClusterClient.create(resources, seeds);
                client = cluster;
                cluster.setOptions(ClusterClientOptions.builder()
                        // Learn of fail-overs and slot moves as they happen, and every 30 s regardless.
                        .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder().enableAllAdaptiveRefreshTriggers()
                                .enablePeriodicRefresh(Duration.ofSeconds(30)).build())
                        .autoReconnect(true)
                        // The cluster client opens its connection to each node lazily, and would
                        // reject the first commands to a node while it connects: on a cluster,
                        // commands wait for a connection instead, up to the command timeout.
                        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.ACCEPT_COMMANDS)
                        .timeoutOptions(TimeoutOptions.enabled(config.commandTimeout()))
                        .socketOptions(socket)
                        .build());
                StatefulRedisClusterConnection<String, String> t = connecting(() -> cluster.connect(StringCodec.UTF8));
                text = t;
                StatefulRedisClusterConnection<String, byte[]> b = connecting(() -> cluster.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE)));
                opened = new Opened(cluster, t, t.sync(), t.async(), b, b.sync(), () -> cluster.connectPubSub(StringCodec.UTF8));
            }
            RedisLink link = new RedisLink(config, resources, opened, description);
            log.info("connected to Redis at {} as node {}", description, config.nodeId());
            return link;
        } catch (RuntimeException e) {
            if (text != null) {
                text.close();
            }
            if (client != null) {
                client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            }
            resources.shutdown(0, 2, TimeUnit.SECONDS);
            String refusal = refusal(e);
            if (refusal != null) {
                throw new RedisStoreException("Redis at " + description + " refused this node: " + refusal
                        + " (check the user and password in the store URI)", e);
            }
            throw unavailable(description, "connect", e);
        }
    }

    /**
     * Lettuce's connect, tried again (twice at most) when it lost a race with a handshake that
     * failed at once: a refused password closes the handshake before Lettuce looks the handshake up,
     * and the connect then fails with "RedisHandshakeHandler not registered" instead of Redis's
     * reply. The next try gets the reply (NOAUTH, WRONGPASS), which {@link #refusal} reports.
     */
    private static <C> C connecting(Supplier<C> connect) {
        for (int attempt = 1; ; attempt++) {
            try {
                return connect.get();
            } catch (RuntimeException e) {
                if (attempt >= 3 || !lostHandshakeRace(e)) {
                    throw e;
                }
                log.debug("connect lost a race with a failed handshake; trying again", e);
            }
        }
    }

    private static boolean lostHandshakeRace(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof IllegalStateException && "RedisHandshakeHandler not registered".equals(t.getMessage())) {
                return true;
            }
        }
        return false;
    }

    /** Where Redis is, without credentials: {@code redis://host:6379/0}. */
    public String describe() {
        return description;
    }

    public RedisConfig config() {
        return config;
    }

    public RedisClusterCommands<String, String> text() {
        return text;
    }

    public RedisClusterCommands<String, byte[]> binary() {
        return binary;
    }

    /** A new publish/subscribe connection; its owner closes it. */
    public StatefulRedisPubSubConnection<String, String> connectPubSub() {
        return call("subscribe to changes", pubSub);
    }

    /** Runs a text script by its SHA-1, sending the whole script when Redis does not know it (after a restart). */
    public <T> T eval(Script script, ScriptOutputType type, String[] keys, String... args) {
        return call(script.name(), () -> {
            try {
                return text.evalsha(script.sha(), type, keys, args);
            } catch (RedisNoScriptException e) {
                return text.eval(script.text(), type, keys, args);
            }
        });
    }

    /**
     * {@link #eval} without waiting for the answer: the future completes on a connection thread,
     * exceptionally with the exceptions {@link #call} throws.
     */
    public <T> CompletableFuture<T> evalAsync(Script script, ScriptOutputType type, String[] keys, String... args) {
        CompletableFuture<T> out = new CompletableFuture<>();
        try {
            textAsync.<T>evalsha(script.sha(), type, keys, args).whenComplete((value, error) -> {
                if (error != null && cause(error) instanceof RedisNoScriptException) {
                    try {
                        RedisFuture<T> whole = textAsync.eval(script.text(), type, keys, args);
                        whole.whenComplete((v, e) -> settle(out, script.name(), v, e));
                    } catch (Throwable e) {
                        settle(out, script.name(), null, e);
                    }
                } else {
                    settle(out, script.name(), value, error);
                }
            });
        } catch (Throwable e) {
            settle(out, script.name(), null, e);
        }
        return out;
    }

    private <T> void settle(CompletableFuture<T> future, String what, T value, Throwable error) {
        if (error == null) {
            future.complete(value);
            return;
        }
        Throwable cause = cause(error);
        future.completeExceptionally(cause instanceof RuntimeException r ? translate(what, r)
                : cause instanceof Error ? cause : unavailable(description, what, new RedisException(cause)));
    }

    private static Throwable cause(Throwable error) {
        Throwable t = error;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** {@link #eval} on the binary connection. */
    public <T> T evalBinary(Script script, ScriptOutputType type, String[] keys, byte[]... args) {
        return call(script.name(), () -> {
            try {
                return binary.evalsha(script.sha(), type, keys, args);
            } catch (RedisNoScriptException e) {
                return binary.eval(script.text(), type, keys, args);
            }
        });
    }

    /**
     * Runs {@code operation}, turning Lettuce's failures into the library's.
     *
     * @param what what is being done, for the message
     */
    public <T> T call(String what, Supplier<T> operation) {
        try {
            return operation.get();
        } catch (RedisException e) {
            throw translate(what, e);
        }
    }

    /**
     * The library's exception for a failure of Lettuce's: {@link StoreUnavailableException} when
     * Redis is out of reach or says "not now", {@link RedisStoreException} for any other error
     * reply; any other exception as it is.
     */
    private RuntimeException translate(String what, RuntimeException e) {
        if (e instanceof RedisCommandExecutionException) {
            String reply = e.getMessage() == null ? "" : e.getMessage();
            String code = reply.split(" ", 2)[0].toUpperCase(Locale.ROOT);
            if (TRANSIENT.contains(code)) {
                return unavailable(description, what, e);
            }
            return new RedisStoreException("Redis at " + description + " refused to " + what + ": " + reply, e);
        }
        if (e instanceof RedisException) {
            return unavailable(description, what, e);
        }
        return e;
    }

    /**
     * Runs {@code operation}, retrying it while Redis is unreachable for up to
     * {@link RedisConfig#outageWriteRetry()}: for the writes that end a run (its output, its
     * completion), so that a job finishing during a short outage keeps its result instead of
     * running again. The operation must be safe to repeat (the end-of-run scripts answer a
     * repeat as they answered the first write).
     */
    public <T> T callThroughOutage(String what, Supplier<T> operation) {
        long deadline = System.nanoTime() + config.outageWriteRetry().toNanos();
        long pauseMillis = 50;
        boolean logged = false;
        while (true) {
            try {
                T result = call(what, operation);
                if (logged) {
                    log.info("Redis at {} is back; {} went through", description, what);
                }
                return result;
            } catch (StoreUnavailableException e) {
                if (System.nanoTime() - deadline >= 0) {
                    throw e;
                }
                if (!logged) {
                    log.warn("{}; retrying to {} for up to {}", e.getMessage(), what, config.outageWriteRetry());
                    logged = true;
                }
                try {
                    // Polling is all there is: Redis says nothing while it is away.
                    TimeUnit.MILLISECONDS.sleep(pauseMillis);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
                pauseMillis = Math.min(1_000, pauseMillis * 2);
            }
        }
    }

    /**
     * Runs a write whose loss is harmless (a progress report, a lease renewal, which the next one
     * replaces): while Redis is unreachable it answers {@code fallback} instead of failing, and
     * after one such failure skips further tries for a second, so that a job's steps are not each
     * held up by a command timeout.
     */
    public <T> T bestEffort(String what, Supplier<T> operation, T fallback) {
        if (System.nanoTime() - bestEffortPausedUntil < 0) {
            return fallback;
        }
        try {
            return call(what, operation);
        } catch (StoreUnavailableException e) {
            bestEffortPausedUntil = System.nanoTime() + BEST_EFFORT_PAUSE_NANOS;
            log.debug("skipped: {}", e.getMessage());
            return fallback;
        }
    }

    /** An authentication or permission error anywhere in {@code e}'s causes, or null. */
    private static String refusal(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String m = t.getMessage();
            if (m != null && (m.startsWith("WRONGPASS") || m.startsWith("NOAUTH") || m.startsWith("NOPERM")
                    || m.contains("AUTH failed"))) {
                return m;
            }
        }
        return null;
    }

    private static StoreUnavailableException unavailable(String description, String what, RuntimeException e) {
        String cause = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return new StoreUnavailableException("Redis at " + description + " is not reachable (" + cause + "); could not " + what, e);
    }

    private static String describe(RedisURI uri) {
        if (!uri.getSentinels().isEmpty()) {
            return (uri.isSsl() ? "rediss-sentinel://" : "redis-sentinel://")
                    + uri.getSentinels().stream().map(s -> s.getHost() + ":" + s.getPort()).collect(Collectors.joining(","))
                    + "/" + uri.getDatabase() + "#" + uri.getSentinelMasterId();
        }
        return (uri.isSsl() ? "rediss://" : "redis://") + uri.getHost() + ":" + uri.getPort() + "/" + uri.getDatabase();
    }

    private static String describeCluster(RedisConfig config, List<RedisURI> seeds) {
        return (config.uri().toLowerCase(Locale.ROOT).startsWith("rediss") ? "rediss-cluster://" : "redis-cluster://")
                + seeds.stream().map(s -> s.getHost() + ":" + s.getPort()).collect(Collectors.joining(","));
    }

    @Override
    public void close() {
        textConnection.close();
        binaryConnection.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }
}
