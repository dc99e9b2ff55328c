package dev.ttsqueue.server;

import dev.ttsqueue.server.internal.OriginPolicy;
import dev.ttsqueue.store.redis.RedisConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Settings of the REST server. {@link TtsServer#start(ServerConfig, dev.ttsqueue.TtsJobQueue)}
 * uses the HTTP ones (host, port, API key, upload size, sync timeout, CORS origins); the queue's
 * own settings ({@code maxQueueSize}, {@code maxTextLength}, workers, store, retention, lease) take
 * effect only where {@link TtsServer#main} builds the queue (an embedding application sets them on
 * its {@code TtsJobQueue.Builder}; the server sizes its body limits from that queue's text limit). Every option can be given as a flag ({@code --port 8000} or {@code --port=8000})
 * or an environment variable ({@code TTSQ_PORT}); a flag wins over the environment.
 *
 * @param host address to bind; default {@code 127.0.0.1} (loopback only)
 * @param port TCP port; 0 picks a free one; default 8000
 * @param dataDir where the standalone server keeps jobs, audio and voices; default {@code ./data}
 * @param modelDir F5-TTS ONNX model folder; null runs the built-in FreeTTS voice
 * @param devices CUDA device ids, one worker each; empty means {@code workers} workers on the default device
 * @param workers number of workers when no devices are listed; default 1
 * @param provider {@code auto}, {@code cuda} or {@code cpu}
 * @param store {@code sqlite} (durable, default), {@code memory}, or a Redis URI ({@code redis://[user:password@]host:port/db},
 *     {@code rediss://} for TLS, {@code redis-sentinel://}, {@code redis-cluster://}) for several nodes sharing one queue
 * @param apiKey when set, every request but health and docs must send it as {@code X-API-Key}; printable ASCII without surrounding spaces, else IllegalArgumentException
 * @param maxUploadBytes largest multipart (upload) body accepted (413 beyond); default 50 MiB. Bodies read
 *     into memory (JSON, URL-encoded forms) get a smaller limit sized from the text limit
 * @param maxTextLength longest text to speak, in characters; 0 = the backend's limit only
 * @param maxQueueSize queued jobs beyond this are refused with 429; 0 = no limit
 * @param retention finished jobs and their audio older than this are deleted; null = keep
 * @param uploadTtl how long uploaded reference audio is served; default 24 h
 * @param syncTimeout how long the synchronous endpoints wait for their job before 504
 * @param corsOrigins web pages a browser lets use the API: origins ({@code https://app.example.com},
 *     {@code http://localhost:*} for any port), {@code loopback} for pages on this machine's loopback names,
 *     {@code *} for any page (the old server's behaviour), {@code none} for the server's own pages only;
 *     empty = automatic: {@code loopback} when bound to a loopback address, else {@code none}. Requests
 *     from other pages get no CORS headers, and those that would change something are refused with 403
 *     (see {@link OriginPolicy}); clients that are not browsers send no {@code Origin} and are not affected.
 *     IllegalArgumentException for an entry that is not an origin
 * @param backend {@code auto} (F5-TTS with a model folder, else FreeTTS; the default) or
 *     {@code synthetic} (for tests only: a tone instead of speech, 20 ms of work per word)
 * @param allowedHosts host names the {@code Host} header may carry; empty = automatic: when bound to
 *     a loopback address only {@code localhost}, {@code 127.0.0.1} and {@code [::1]} (any port), so a
 *     web page cannot reach the server through DNS rebinding; otherwise any; {@code *} = any
 * @param lease how long a running job's claim lasts without renewal; a job whose claim lapses runs
 *     again (jobs left running by a crash run again at the next start without waiting for it);
 *     default 30 s, at least 2 s
 * @param transcriberModelDir Whisper ONNX export (transformers.js layout) that transcribes references
 *     sent without {@code ref_text}; null = such jobs are refused with 400. Needs {@code modelDir}
 * @param nodeId this node's name among several on one Redis store, for logs and for Redis's client
 *     list; null = host name and process id
 */
public record ServerConfig(
        String host,
        int port,
        Path dataDir,
        Path modelDir,
        List<Integer> devices,
        int workers,
        String provider,
        String store,
        String apiKey,
        long maxUploadBytes,
        int maxTextLength,
        int maxQueueSize,
        Duration retention,
        Duration uploadTtl,
        Duration syncTimeout,
        List<String> corsOrigins,
        String backend,
        Duration lease,
        List<String> allowedHosts,
        Path transcriberModelDir,
        String nodeId) {

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 8000;
    /** Default lease of a running job, as the queue's own default. */
    public static final Duration DEFAULT_LEASE = Duration.ofSeconds(30);
    private static final Duration MIN_LEASE = Duration.ofSeconds(2);

    public ServerConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(dataDir, "dataDir");
        devices = List.copyOf(devices);
        provider = provider.toLowerCase(Locale.ROOT);
        // A Redis URI keeps its case: the password in it is case-sensitive.
        store = RedisConfig.isRedisUri(store) ? store : store.toLowerCase(Locale.ROOT);
        apiKey = apiKey == null || apiKey.isEmpty() ? null : apiKey;
        // Jetty reads header bytes as Latin-1 and trims surrounding spaces, so any other key could
        // never be matched by a client that sends it as UTF-8 (curl) or read from a file with its newline.
        if (apiKey != null && (!apiKey.equals(apiKey.strip()) || !apiKey.chars().allMatch(ch -> ch >= 0x20 && ch < 0x7f))) {
            throw new IllegalArgumentException("api-key must be printable ASCII without surrounding spaces (it is sent as the X-API-Key header)");
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be 0-65535: " + port);
        }
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be at least 1: " + workers);
        }
        if (!List.of("auto", "cuda", "cpu").contains(provider)) {
            throw new IllegalArgumentException("provider must be auto, cuda or cpu: " + provider);
        }
        if (!List.of("sqlite", "memory").contains(store) && !RedisConfig.isRedisUri(store)) {
            throw new IllegalArgumentException("store must be sqlite, memory or a redis://, rediss://, redis-sentinel:// or "
                    + "redis-cluster:// URI: " + RedisConfig.redact(store));
        }
        if (RedisConfig.isRedisUri(store)) {
            RedisConfig.builder(store).build(); // a bad URI fails here, naming the option, not at start-up
        }
        if (nodeId != null && (nodeId.isBlank() || nodeId.length() > 128 || !nodeId.chars().allMatch(ch -> ch > 0x20 && ch < 0x7f))) {
            throw new IllegalArgumentException("--node-id must be 1 to 128 printable ASCII characters without spaces: " + nodeId);
        }
        if (maxUploadBytes < 1) {
            throw new IllegalArgumentException("max-upload-bytes must be positive: " + maxUploadBytes);
        }
        if (maxTextLength < 0 || maxQueueSize < 0) {
            throw new IllegalArgumentException("max-text-length and max-queue-size must not be negative");
        }
        Objects.requireNonNull(syncTimeout, "syncTimeout");
        corsOrigins = OriginPolicy.normalize(corsOrigins);
        backend = backend.toLowerCase(Locale.ROOT);
        if (!List.of("auto", "synthetic").contains(backend)) {
            throw new IllegalArgumentException("--backend must be auto or synthetic: " + backend);
        }
        if (backend.equals("synthetic") && modelDir != null) {
            throw new IllegalArgumentException("--backend synthetic uses no model: drop --model-dir");
        }
        if (transcriberModelDir != null && modelDir == null) {
            throw new IllegalArgumentException("--transcriber-model-dir needs --model-dir: only F5-TTS uses reference transcripts");
        }
        allowedHosts = List.copyOf(allowedHosts).stream().map(h -> h.trim().toLowerCase(Locale.ROOT)).filter(h -> !h.isEmpty()).toList();
        // Leases are renewed on the queue's 1 s maintenance tick; a shorter lease could lapse between ticks.
        if (Objects.requireNonNull(lease, "lease").compareTo(MIN_LEASE) < 0) {
            throw new IllegalArgumentException("--lease must be at least 2s: " + lease.toMillis() + " ms");
        }
    }

    /** The defaults: loopback port 8000, ./data, FreeTTS, SQLite, no API key, 30 s lease. */
    public static ServerConfig defaults() {
        return new ServerConfig(DEFAULT_HOST, DEFAULT_PORT, Path.of("data"), null, List.of(), 1, "auto", "sqlite", null,
                50L * 1024 * 1024, 10_000, 10_000, Duration.ofHours(24), Duration.ofHours(24), Duration.ofMinutes(10), List.of(), "auto", DEFAULT_LEASE, List.of(), null, null);
    }

    /** Every setting, with the API key and any password in the store URI hidden: safe to log. */
    @Override
    public String toString() {
        return "ServerConfig[host=" + host + ", port=" + port + ", dataDir=" + dataDir + ", modelDir=" + modelDir + ", devices=" + devices
                + ", workers=" + workers + ", provider=" + provider + ", store=" + RedisConfig.redact(store) + ", apiKey="
                + (apiKey == null ? "none" : "****") + ", maxUploadBytes=" + maxUploadBytes + ", maxTextLength=" + maxTextLength
                + ", maxQueueSize=" + maxQueueSize + ", retention=" + retention + ", uploadTtl=" + uploadTtl + ", syncTimeout="
                + syncTimeout + ", corsOrigins=" + corsOrigins + ", backend=" + backend + ", lease=" + lease + ", allowedHosts="
                + allowedHosts + ", transcriberModelDir=" + transcriberModelDir + ", nodeId=" + nodeId + "]";
    }

    /** Number of workers the queue gets: one per listed device, else {@link #workers}. */
    public int workerCount() {
        return devices.isEmpty() ? workers : devices.size();
    }

    public ServerConfig withAllowedHosts(List<String> v) {
        return new ServerConfig(host, port, dataDir, modelDir, devices, workers, provider, store, apiKey, maxUploadBytes, maxTextLength, maxQueueSize, retention, uploadTtl, syncTimeout, corsOrigins, backend, lease, v, transcriberModelDir, nodeId);
    }

    public ServerConfig withHost(String v) {
        return new ServerConfig(v, port, dataDir, modelDir, devices, workers, provider, store, apiKey, maxUploadBytes, maxTextLength, maxQueueSize, retention, uploadTtl, syncTimeout, corsOrigins, backend, lease, allowedHosts, transcriberModelDir, nodeId);
    }

    public ServerConfig withPort(int v) {
        return new ServerConfig(host, v, dataDir, modelDir, devices, workers, provider, store, apiKey, maxUploadBytes, maxTextLength, maxQueueSize, retention, uploadTtl, syncTimeout, corsOrigins, backend, lease, allowedHosts, transcriberModelDir, nodeId);
    }

    public ServerConfig withDataDir(Path v) {
        return new ServerConfig(host, port, v, modelDir, devices, workers, provider, store, apiKey, maxUploadBytes, maxTextLength, maxQueueSize, retention, uploadTtl, syncTimeout, corsOrigins, backend, lease, allowedHosts, transcriberModelDir, nodeId);
    }

    public ServerConfig withStore(String v) {
        return new ServerConfig(host, port, dataDir, modelDir, devices, workers, provider, v, apiKey, maxUploadBytes, maxTextLength, maxQueueSize, retention, uploadTtl, syncTimeout, corsOrigins, backend, lease, allowedHosts, transcriberModelDir, nodeId);
    }

    public ServerConfig withApiKey(String v) {
        return new ServerConfig(host, port, dataDir, modelDir, devices, workers, provider, store, v, maxUploadBytes, maxTextLength, maxQueueSize, retention, uploadTtl, syncTimeout, corsOrigins, backend, lease, allowedHosts, transcriberModelDir, nodeId);
    }

    public ServerConfig withMaxUploadBytes(long v) {
        return new ServerConfig(host, port, dataDir, modelDir, devices, workers, provider, store, apiKey, v, maxTextLength, maxQueueSize, retention, uploadTtl, syncTimeout, corsOrigins, backend, lease, allowedHosts, transcriberModelDir, nodeId);
    }

    public ServerConfig withMaxQueueSize(int v) {
        return new ServerConfig(host, port, dataDir, modelDir, devices, workers, provider, store, apiKey, maxUploadBytes, maxTextLength, v, retention, uploadTtl, syncTimeout, corsOrigins, backend, lease, allowedHosts, transcriberModelDir, nodeId);
    }

    public ServerConfig withCorsOrigins(List<String> v) {
        return new ServerConfig(host, port, dataDir, modelDir, devices, workers, provider, store, apiKey, maxUploadBytes, maxTextLength, maxQueueSize, retention, uploadTtl, syncTimeout, v, backend, lease, allowedHosts, transcriberModelDir, nodeId);
    }

    public ServerConfig withSyncTimeout(Duration v) {
        return new ServerConfig(host, port, dataDir, modelDir, devices, workers, provider, store, apiKey, maxUploadBytes, maxTextLength, maxQueueSize, retention, uploadTtl, v, corsOrigins, backend, lease, allowedHosts, transcriberModelDir, nodeId);
    }

    /** One command-line option: flag, environment variable, default as shown, meaning. */
    public record Option(String flag, String env, String shownDefault, String help) {
    }

    /** Every option, in the order {@code --help} lists them. */
    public static List<Option> options() {
        return List.of(
                new Option("--host", "TTSQ_HOST", DEFAULT_HOST, "address to bind (0.0.0.0 for all interfaces)"),
                new Option("--port", "TTSQ_PORT", String.valueOf(DEFAULT_PORT), "TCP port (0 = any free port)"),
                new Option("--data-dir", "TTSQ_DATA_DIR", "./data", "jobs database, audio and voices"),
                new Option("--model-dir", "TTSQ_MODEL_DIR", "(none: FreeTTS)", "F5-TTS ONNX model folder"),
                new Option("--transcriber-model-dir", "TTSQ_TRANSCRIBER_MODEL_DIR", "(none: ref_text required)",
                        "Whisper ONNX export (transformers.js layout) that transcribes references sent without ref_text"),
                new Option("--devices", "TTSQ_DEVICES", "(none)", "comma-separated CUDA device ids, one worker each"),
                new Option("--workers", "TTSQ_WORKERS", "1", "workers when no devices are listed"),
                new Option("--provider", "TTSQ_PROVIDER", "auto", "auto | cuda | cpu"),
                new Option("--store", "TTSQ_STORE", "sqlite", "sqlite (durable) | memory | redis://[user:password@]host:port/db "
                        + "(also rediss://, redis-sentinel://, redis-cluster://): several nodes, one queue"),
                new Option("--node-id", "TTSQ_NODE_ID", "(host:pid)", "this node's name on a Redis store (logs, Redis client list)"),
                new Option("--api-key", "TTSQ_API_KEY", "(off)", "require this X-API-Key on every request but /health and docs"),
                new Option("--max-upload-bytes", "TTSQ_MAX_UPLOAD_BYTES", "52428800", "largest upload body (413 beyond; JSON and forms get a smaller limit)"),
                new Option("--max-text-length", "TTSQ_MAX_TEXT_LENGTH", "10000", "longest text in characters (0 = backend limit)"),
                new Option("--max-queue-size", "TTSQ_MAX_QUEUE_SIZE", "10000", "queued jobs before 429 (0 = no limit)"),
                new Option("--retention", "TTSQ_RETENTION", "24h", "delete finished jobs older than this (0 = keep); e.g. 90m, 24h, 7d"),
                new Option("--upload-ttl", "TTSQ_UPLOAD_TTL", "24h", "how long uploads are served"),
                new Option("--sync-timeout", "TTSQ_SYNC_TIMEOUT", "10m", "how long synchronous endpoints wait for their job"),
                new Option("--cors-origins", "TTSQ_CORS_ORIGINS", "(auto)", "comma-separated origins of web pages that may use the API "
                        + "(http://localhost:* = any port), loopback, '*' = any page, none; auto: loopback when bound to loopback, else none"),
                new Option("--allowed-hosts", "TTSQ_ALLOWED_HOSTS", "(auto)", "comma-separated Host names served ('*' = any); auto: loopback names when bound to loopback, else any"),
                new Option("--lease", "TTSQ_LEASE", "30s", "how long a running job's claim lasts unrenewed; a lapsed job runs again (min 2s)"),
                new Option("--backend", "TTSQ_BACKEND", "auto", "auto (F5 with --model-dir, else FreeTTS) | synthetic (tests only: a tone, no speech)"));
    }

    /**
     * Reads options from command-line arguments, then the environment, then the defaults.
     *
     * @throws IllegalArgumentException naming the option for an unknown flag or a bad value
     */
    public static ServerConfig parse(String[] args, Map<String, String> env) {
        Map<String, String> given = new LinkedHashMap<>();
        for (Option o : options()) {
            String v = env.get(o.env());
            if (v != null && v.isBlank() && o.flag().equals("--api-key")) {
                // TTSQ_API_KEY=${KEY} with KEY unset must not start an open server.
                throw new IllegalArgumentException("TTSQ_API_KEY is set but empty; unset it to run without a key");
            }
            if (v != null && !v.isBlank()) {
                given.put(o.flag(), v.trim());
            }
        }
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String flag = a;
            String value;
            int eq = a.indexOf('=');
            if (eq > 0) {
                flag = a.substring(0, eq);
                value = a.substring(eq + 1);
            } else {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("option " + a + " needs a value");
                }
                value = args[++i];
            }
            String f = flag;
            if (options().stream().noneMatch(o -> o.flag().equals(f))) {
                throw new IllegalArgumentException("unknown option " + flag + " (see --help)");
            }
            if (flag.equals("--api-key") && value.isBlank()) {
                // "--api-key $KEY" with KEY unset must not start an open server.
                throw new IllegalArgumentException("--api-key is empty; leave the option out to run without a key");
            }
            given.put(flag, value);
        }
        ServerConfig d = defaults();
        return new ServerConfig(
                    given.getOrDefault("--host", d.host()),
                    intOption(given, "--port", d.port()),
                    given.containsKey("--data-dir") ? Path.of(given.get("--data-dir")) : d.dataDir(),
                    given.containsKey("--model-dir") ? Path.of(given.get("--model-dir")) : null,
                    devices(given.get("--devices")),
                    intOption(given, "--workers", d.workers()),
                    given.getOrDefault("--provider", d.provider()),
                    given.getOrDefault("--store", d.store()),
                    given.get("--api-key"),
                    longOption(given, "--max-upload-bytes", d.maxUploadBytes()),
                    intOption(given, "--max-text-length", d.maxTextLength()),
                    intOption(given, "--max-queue-size", d.maxQueueSize()),
                    given.containsKey("--retention") ? durationOrNull(given.get("--retention"), "--retention") : d.retention(),
                    given.containsKey("--upload-ttl") ? durationOrNull(given.get("--upload-ttl"), "--upload-ttl") : d.uploadTtl(),
                    given.containsKey("--sync-timeout") ? requirePositive(durationOrNull(given.get("--sync-timeout"), "--sync-timeout"), "--sync-timeout") : d.syncTimeout(),
                given.containsKey("--cors-origins") ? List.of(given.get("--cors-origins").split(",")) : d.corsOrigins(),
                given.getOrDefault("--backend", d.backend()),
                given.containsKey("--lease") ? requirePositive(durationOrNull(given.get("--lease"), "--lease"), "--lease") : d.lease(),
                given.containsKey("--allowed-hosts") ? origins(given.get("--allowed-hosts")) : d.allowedHosts(),
                given.containsKey("--transcriber-model-dir") ? Path.of(given.get("--transcriber-model-dir")) : null,
                given.get("--node-id"));
    }

    private static int intOption(Map<String, String> given, String flag, int dflt) {
        long v = longOption(given, flag, dflt);
        if (v > Integer.MAX_VALUE || v < Integer.MIN_VALUE) {
            throw new IllegalArgumentException(flag + " is out of range: " + v);
        }
        return (int) v;
    }

    private static long longOption(Map<String, String> given, String flag, long dflt) {
        String v = given.get(flag);
        if (v == null) {
            return dflt;
        }
        try {
            return Long.parseLong(v.trim().replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " must be a whole number: " + v);
        }
    }

    private static List<String> origins(String v) {
        List<String> out = new ArrayList<>();
        if (v.isBlank() || v.trim().equalsIgnoreCase("none")) {
            return out;
        }
        for (String o : v.split(",")) {
            if (!o.isBlank()) {
                out.add(o.trim());
            }
        }
        return out;
    }

    private static List<Integer> devices(String v) {
        List<Integer> out = new ArrayList<>();
        if (v == null || v.isBlank()) {
            return out;
        }
        for (String part : v.split(",")) {
            try {
                int id = Integer.parseInt(part.trim());
                if (id < 0) {
                    throw new NumberFormatException();
                }
                out.add(id);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--devices must be comma-separated device ids (e.g. 0,1): " + v);
            }
        }
        return out;
    }

    /** Parses {@code 90s}, {@code 30m}, {@code 24h}, {@code 7d}, a bare number of seconds, or ISO-8601 ({@code PT1H}); 0 means none. */
    static Duration durationOrNull(String v, String flag) {
        String s = v.trim().toLowerCase(Locale.ROOT);
        try {
            Duration d;
            if (s.startsWith("p")) {
                d = Duration.parse(s.toUpperCase(Locale.ROOT));
            } else {
                char unit = s.isEmpty() ? ' ' : s.charAt(s.length() - 1);
                String num = Character.isDigit(unit) ? s : s.substring(0, s.length() - 1);
                long n = Long.parseLong(num);
                d = switch (unit) {
                    case 's' -> Duration.ofSeconds(n);
                    case 'm' -> Duration.ofMinutes(n);
                    case 'h' -> Duration.ofHours(n);
                    case 'd' -> Duration.ofDays(n);
                    default -> {
                        if (!Character.isDigit(unit)) {
                            throw new NumberFormatException();
                        }
                        yield Duration.ofSeconds(n);
                    }
                };
            }
            if (d.isNegative()) {
                throw new IllegalArgumentException(flag + " must not be negative: " + v);
            }
            return d.isZero() ? null : d;
        } catch (NumberFormatException | java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException(flag + " must be a duration such as 90s, 30m, 24h or 7d: " + v);
        }
    }

    private static Duration requirePositive(Duration d, String flag) {
        if (d == null) {
            throw new IllegalArgumentException(flag + " must be positive");
        }
        return d;
    }
}
