package dev.ttsqueue.server.internal;

import dev.ttsqueue.store.redis.RedisConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What the standalone server builds its queue from ({@link StandaloneQueue}): storage, model,
 * devices and the queue's limits. The HTTP settings are {@link dev.ttsqueue.server.ServerConfig}'s;
 * {@link CommandLineOptions} reads both.
 *
 * @param dataDir where jobs, audio and voices are kept; default {@code ./data}
 * @param modelDir F5-TTS ONNX model folder; null runs the built-in FreeTTS voice
 * @param devices CUDA device ids, one worker each; empty means {@code workers} workers on the default device
 * @param workers number of workers when no devices are listed; default 1
 * @param provider {@code auto}, {@code cuda} or {@code cpu}
 * @param store {@code sqlite} (durable, default), {@code memory}, or a Redis URI ({@code redis://[user:password@]host:port/db},
 *     {@code rediss://} for TLS, {@code redis-sentinel://}, {@code redis-cluster://}) for several nodes sharing one queue
 * @param maxTextLength longest text to speak, in characters; 0 = the backend's limit only
 * @param maxQueueSize queued jobs beyond this are refused with 429; 0 = no limit
 * @param retention finished jobs and their audio older than this are deleted; null = keep
 * @param uploadTtl how long uploaded reference audio is served; null = no expiry
 * @param backend {@code auto} (F5-TTS with a model folder, else FreeTTS) or {@code synthetic}
 *     (for tests only: a tone instead of speech, 20 ms of work per word)
 * @param lease how long a running job's claim lasts without renewal; at least 2 s
 * @param transcriberModelDir Whisper ONNX export that transcribes references sent without
 *     {@code ref_text}; null = such jobs are refused with 400. Needs {@code modelDir}
 * @param nodeId this node's name among several on one Redis store; null = host name and process id
 * @param warmUp how long each worker warms its backend up before its first job ({@code TtsJobQueue.Builder.warmUp}); zero = none
 */
public record StandaloneOptions(
        Path dataDir,
        Path modelDir,
        List<Integer> devices,
        int workers,
        String provider,
        String store,
        int maxTextLength,
        int maxQueueSize,
        Duration retention,
        Duration uploadTtl,
        String backend,
        Duration lease,
        Path transcriberModelDir,
        String nodeId,
        Duration warmUp) {

    /** Default lease of a running job, as the queue's own default. */
    public static final Duration DEFAULT_LEASE = Duration.ofSeconds(30);
    // Leases are renewed on the queue's 1 s maintenance tick; a shorter lease could lapse between ticks.
    private static final Duration MIN_LEASE = Duration.ofSeconds(2);

    public StandaloneOptions {
        Objects.requireNonNull(dataDir, "dataDir");
        devices = List.copyOf(devices);
        provider = provider.toLowerCase(Locale.ROOT);
        // A Redis URI keeps its case: the password in it is case-sensitive.
        store = RedisConfig.isRedisUri(store) ? store : store.toLowerCase(Locale.ROOT);
        backend = backend.toLowerCase(Locale.ROOT);
        if (devices.stream().anyMatch(d -> d < 0)) {
            throw new IllegalArgumentException("--devices must be comma-separated device ids (e.g. 0,1): " + devices);
        }
        if (workers < 1) {
            throw new IllegalArgumentException("--workers must be at least 1: " + workers);
        }
        if (!List.of("auto", "cuda", "cpu").contains(provider)) {
            throw new IllegalArgumentException("--provider must be auto, cuda or cpu: " + provider);
        }
        if (!List.of("sqlite", "memory").contains(store) && !RedisConfig.isRedisUri(store)) {
            throw new IllegalArgumentException("--store must be sqlite, memory or a redis://, rediss://, redis-sentinel:// or "
                    + "redis-cluster:// URI: " + RedisConfig.redact(store));
        }
        if (RedisConfig.isRedisUri(store)) {
            RedisConfig.builder(store).build(); // a bad URI fails here, naming the option, not at start-up
        }
        if (nodeId != null && (nodeId.isBlank() || nodeId.length() > 128 || !nodeId.chars().allMatch(ch -> ch > 0x20 && ch < 0x7f))) {
            throw new IllegalArgumentException("--node-id must be 1 to 128 printable ASCII characters without spaces: " + nodeId);
        }
        if (maxTextLength < 0 || maxQueueSize < 0) {
            throw new IllegalArgumentException("--max-text-length and --max-queue-size must not be negative");
        }
        if (!List.of("auto", "synthetic").contains(backend)) {
            throw new IllegalArgumentException("--backend must be auto or synthetic: " + backend);
        }
        if (backend.equals("synthetic") && modelDir != null) {
            throw new IllegalArgumentException("--backend synthetic uses no model: drop --model-dir");
        }
        if (transcriberModelDir != null && modelDir == null) {
            throw new IllegalArgumentException("--transcriber-model-dir needs --model-dir: only F5-TTS uses reference transcripts");
        }
        if (Objects.requireNonNull(warmUp, "warmUp").isNegative()) {
            throw new IllegalArgumentException("--warm-up must not be negative: " + warmUp);
        }
        if (Objects.requireNonNull(lease, "lease").compareTo(MIN_LEASE) < 0) {
            throw new IllegalArgumentException("--lease must be at least 2s: " + lease.toMillis() + " ms");
        }
    }

    /** Number of workers the queue gets: one per listed device, else {@link #workers}. */
    public int workerCount() {
        return devices.isEmpty() ? workers : devices.size();
    }

    /** Every setting, with any password in the store URI hidden: safe to log. */
    @Override
    public String toString() {
        return "StandaloneOptions[dataDir=" + dataDir + ", modelDir=" + modelDir + ", devices=" + devices + ", workers=" + workers
                + ", provider=" + provider + ", store=" + RedisConfig.redact(store) + ", maxTextLength=" + maxTextLength
                + ", maxQueueSize=" + maxQueueSize + ", retention=" + retention + ", uploadTtl=" + uploadTtl + ", backend=" + backend
                + ", lease=" + lease + ", transcriberModelDir=" + transcriberModelDir + ", nodeId=" + nodeId + "]";
    }
}
