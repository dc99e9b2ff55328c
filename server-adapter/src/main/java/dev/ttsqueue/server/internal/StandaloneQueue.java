package dev.ttsqueue.server.internal;

import dev.ttsqueue.BackendPool;
import dev.ttsqueue.TtsJobQueue;
import dev.ttsqueue.inference.f5.ExecutionProvider;
import dev.ttsqueue.inference.f5.F5OnnxBackend;
import dev.ttsqueue.inference.freetts.FreeTtsBackend;
import dev.ttsqueue.inference.whisper.WhisperTranscriber;
import dev.ttsqueue.spi.AudioStore;
import dev.ttsqueue.spi.JobStore;
import dev.ttsqueue.spi.Transcriber;
import dev.ttsqueue.spi.TtsBackend;
import dev.ttsqueue.spi.VoiceBank;
import dev.ttsqueue.store.DirectoryAudioStore;
import dev.ttsqueue.store.DirectoryVoiceBank;
import dev.ttsqueue.store.InMemoryAudioStore;
import dev.ttsqueue.store.InMemoryJobStore;
import dev.ttsqueue.store.redis.RedisAudioStore;
import dev.ttsqueue.store.redis.RedisConfig;
import dev.ttsqueue.store.redis.RedisJobStore;
import dev.ttsqueue.store.redis.RedisVoiceBank;
import dev.ttsqueue.store.sqlite.SqliteJobStore;
import dev.ttsqueue.store.sqlite.StoreInUseException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the queue of the standalone server from its options. Layout under {@code --data-dir}:
 * {@code jobs.db} (SQLite store), {@code audio/} (uploads and outputs), {@code reference_voices/}
 * (the old server's voice folder layout). With a Redis {@code --store}, all three live in Redis
 * instead, shared with the other nodes, and the data folder holds nothing.
 */
public final class StandaloneQueue {
    private static final Logger log = LoggerFactory.getLogger(StandaloneQueue.class);

    private StandaloneQueue() {
    }

    /**
     * Builds and starts the queue. Whatever was opened before a failure is closed again.
     *
     * @throws Exception when the data folder, the database or the backend cannot be opened
     */
    public static TtsJobQueue build(StandaloneOptions config) throws Exception {
        return build(config, Map.of());
    }

    /**
     * Builds and starts the queue with each tenant's fair-share weight ({@code --api-keys});
     * tenants not named weigh 1.
     *
     * @throws Exception when the data folder, the database or the backend cannot be opened
     */
    public static TtsJobQueue build(StandaloneOptions config, Map<String, Integer> tenantWeights) throws Exception {
        Path data = config.dataDir().toAbsolutePath().normalize();
        Files.createDirectories(data);
        Clock clock = Clock.systemUTC();
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            // The store first: a second server on this data folder is refused there, as is a Redis
            // that cannot be reached, before it spends time and GPU memory loading a model.
            Storage storage = storage(config, data, clock);
            opened.add(storage.jobs());
            opened.add(storage.audio());
            TtsBackend backend = backend(config);
            opened.add(backend);
            Transcriber transcriber = transcriber(config);
            if (transcriber != null) {
                opened.add((AutoCloseable) transcriber);
            }
            TtsJobQueue.Builder b = TtsJobQueue.builder()
                    .backend(backend)
                    .store(storage.jobs())
                    .audioStore(storage.audio())
                    .voiceBank(storage.voices())
                    .workers(config.workerCount())
                    .maxQueueSize(config.maxQueueSize())
                    .maxTextLength(config.maxTextLength())
                    .leaseDuration(config.lease())
                    .warmUp(config.warmUp())
                    .tenantWeights(tenantWeights)
                    .metricsListener(new JobLog(storage.node()))
                    .clock(clock);
            if (transcriber != null) {
                b.transcriber(transcriber);
            }
            if (config.retention() != null) {
                Duration interval = config.retention().compareTo(Duration.ofHours(1)) < 0 ? config.retention() : Duration.ofHours(1);
                b.retention(config.retention(), interval);
            } else {
                b.keepFinishedJobs(); // --retention 0
            }
            return b.build();
        } catch (Exception | Error e) {
            for (AutoCloseable c : opened) {
                try {
                    c.close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    /**
     * Whisper for references sent without {@code ref_text}, hearing the part of each reference F5
     * clones; on the first listed device (one transcription per job, before its synthesis).
     */
    private static Transcriber transcriber(StandaloneOptions config) {
        if (config.transcriberModelDir() == null) {
            return null;
        }
        WhisperTranscriber whisper = WhisperTranscriber.builder(config.transcriberModelDir())
                .provider(ExecutionProvider.parse(config.provider()))
                .deviceId(config.devices().isEmpty() ? 0 : config.devices().get(0))
                .build();
        log.info("references without ref_text are transcribed by Whisper from {} on {}", config.transcriberModelDir(), whisper.device());
        return F5OnnxBackend.clippedReferences(whisper);
    }

    /** Where jobs, audio and voices live: all three in memory, in the data folder, or in Redis; and the node's name there (null when alone and unnamed). */
    private record Storage(JobStore jobs, AudioStore audio, VoiceBank voices, String node) {
    }

    private static Storage storage(StandaloneOptions config, Path data, Clock clock) throws IOException {
        if (RedisConfig.isRedisUri(config.store())) {
            // Shared by every node: jobs, uploads, outputs and voices, so that any node serves any
            // of them. Outputs have no TTL of their own: retention deletes them with their job.
            String node = config.nodeId() != null ? config.nodeId() : RedisConfig.defaultNodeId();
            RedisJobStore jobs = RedisJobStore.open(RedisConfig.builder(config.store()).nodeId(node).build());
            try {
                return new Storage(jobs, RedisAudioStore.sharing(jobs, clock, config.uploadTtl(), null), RedisVoiceBank.sharing(jobs), node);
            } catch (RuntimeException e) {
                jobs.close();
                throw e;
            }
        }
        JobStore jobs = store(config, data);
        try {
            return new Storage(jobs, audioStore(config, data, clock), new DirectoryVoiceBank(data.resolve("reference_voices")), config.nodeId());
        } catch (IOException | RuntimeException e) {
            jobs.close();
            throw e;
        }
    }

    private static JobStore store(StandaloneOptions config, Path data) {
        if (config.store().equals("memory")) {
            return new InMemoryJobStore();
        }
        SqliteNativeLibrary.useStableCopy(data.resolve("native"));
        // Exclusive: the data folder is one server's (its audio index lives in that process), so a
        // second server on it must fail at start, and jobs found running at start were left by a
        // crash and can run again at once instead of after their lease.
        try {
            return SqliteJobStore.builder(data.resolve("jobs.db")).access(SqliteJobStore.Access.EXCLUSIVE).open();
        } catch (StoreInUseException e) {
            throw new StoreInUseException(e.file(), e.getMessage()
                    + ". Is another server running on the data folder " + data + "? Each server needs its own --data-dir.");
        }
    }

    private static AudioStore audioStore(StandaloneOptions config, Path data, Clock clock) throws IOException {
        if (config.store().equals("memory")) {
            return new InMemoryAudioStore(clock, config.uploadTtl(), null);
        }
        return new DirectoryAudioStore(data.resolve("audio"), clock, config.uploadTtl(), null);
    }

    /** One instance per worker (per listed device), pooled so that no two jobs share one. */
    private static TtsBackend backend(StandaloneOptions config) {
        if (config.backend().equals("synthetic")) {
            log.warn("--backend synthetic: jobs produce a tone, not speech; this backend is for tests only");
            return new SyntheticToneBackend(); // stateless: the workers may share it
        }
        if (config.modelDir() == null) {
            log.info("no --model-dir given: speaking with the built-in FreeTTS voice (it does not clone voices)");
            List<TtsBackend> instances = new ArrayList<>();
            try {
                for (int i = 0; i < config.workerCount(); i++) {
                    instances.add(new FreeTtsBackend());
                }
            } catch (RuntimeException | Error e) {
                if (!instances.isEmpty()) {
                    new BackendPool(instances).close();
                }
                throw e;
            }
            return new BackendPool(instances);
        }
        ExecutionProvider provider = ExecutionProvider.parse(config.provider());
        // Listed devices: one instance each. None listed: --workers instances on the default device.
        List<Integer> devices = new ArrayList<>(config.devices());
        while (devices.size() < config.workerCount()) {
            devices.add(0);
        }
        if (config.devices().isEmpty() && config.workerCount() > 1 && provider != ExecutionProvider.CPU) {
            log.warn("{} workers without --devices share device 0 if CUDA is used; list devices with --devices 0,1,...", config.workerCount());
        }
        List<TtsBackend> instances = new ArrayList<>();
        try {
            for (int id : devices) {
                instances.add(F5OnnxBackend.builder(config.modelDir()).provider(provider).deviceId(id).build());
            }
        } catch (RuntimeException | Error e) {
            if (!instances.isEmpty()) {
                new BackendPool(instances).close();
            }
            throw e;
        }
        BackendPool pool = new BackendPool(instances);
        log.info("F5-TTS from {} on {}", config.modelDir(), pool.info().device());
        return pool;
    }
}
