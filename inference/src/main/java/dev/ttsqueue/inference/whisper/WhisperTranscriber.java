package dev.ttsqueue.inference.whisper;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.platform.Fp16Conversions;
import dev.ttsqueue.audio.AudioClip;
import dev.ttsqueue.audio.Resampler;
import dev.ttsqueue.inference.GraphOptimizationLevel;
import dev.ttsqueue.inference.f5.ExecutionProvider;
import dev.ttsqueue.inference.internal.OrtSessionFactory;
import dev.ttsqueue.inference.whisper.internal.GreedyDecoder;
import dev.ttsqueue.inference.whisper.internal.LogMelSpectrogram;
import dev.ttsqueue.inference.whisper.internal.TranscriptCache;
import dev.ttsqueue.inference.whisper.internal.WhisperConfig;
import dev.ttsqueue.inference.whisper.internal.WhisperSessions;
import dev.ttsqueue.inference.whisper.internal.WhisperTokenizer;
import dev.ttsqueue.spi.Transcriber;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Transcribes reference audio with Whisper on ONNX Runtime, from the ONNX export that
 * transformers.js uses (Hugging Face repositories {@code onnx-community/whisper-*} and
 * {@code Xenova/whisper-*}, made by Optimum): {@code config.json}, {@code tokenizer.json},
 * optionally {@code generation_config.json}, and {@code onnx/encoder_model.onnx} with
 * {@code onnx/decoder_model_merged.onnx}.
 *
 * <pre>{@code
 * try (WhisperTranscriber whisper = WhisperTranscriber.builder(Path.of("/models/whisper-base")).build();
 *      TtsJobQueue queue = TtsJobQueue.builder().backend(f5)
 *              .transcriber(F5OnnxBackend.clippedReferences(whisper)).build()) {
 *     ...
 * }
 * }</pre>
 *
 * <p>Each clip is resampled to 16 kHz, turned into Whisper's log-mel features (first 30 s), encoded
 * once, and decoded greedily without timestamps (see the package's README for the differences from
 * Whisper's own search). Transcripts are cached by the clip's content hash, so a reference used by
 * many jobs is transcribed once. {@link #transcribe} may be called from several threads; it fails
 * after {@link #close()}.
 */
public final class WhisperTranscriber implements Transcriber, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WhisperTranscriber.class);

    private final WhisperSessions sessions;
    private final WhisperTokenizer tokenizer;
    private final LogMelSpectrogram frontEnd;
    private final GreedyDecoder decoder;
    private final TranscriptCache cache;
    private final String language;
    private final int maxNewTokens;
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private boolean closed;

    private WhisperTranscriber(Builder b) {
        Path dir = b.modelDirectory;
        if (!Files.isDirectory(dir)) {
            throw new WhisperModelException("Whisper model directory " + dir + " does not exist or is not a directory");
        }
        WhisperConfig config = WhisperConfig.load(dir);
        this.tokenizer = WhisperTokenizer.load(dir);
        if (b.language != null) {
            if (!config.multilingual() && !b.language.equals("en")) {
                throw new WhisperModelException("Whisper model in " + dir + " is English-only: it cannot transcribe language '"
                        + b.language + "'");
            }
            if (config.multilingual() && !tokenizer.languages().containsKey(b.language)) {
                throw new WhisperModelException("Whisper model in " + dir + " has no language '" + b.language
                        + "'; it knows " + String.join(", ", tokenizer.languages().keySet()));
            }
        }
        OrtSessionFactory factory = new OrtSessionFactory(OrtEnvironment.getEnvironment(), b.optimizationLevel,
                b.intraOpThreads, b.cuda, b.cudaOptions);
        this.sessions = WhisperSessions.open(dir, b.variant, config, factory, b.provider, b.deviceId);
        this.frontEnd = new LogMelSpectrogram(config.melBins());
        this.decoder = new GreedyDecoder(sessions, tokenizer, config);
        this.cache = new TranscriptCache(b.cacheSize);
        this.language = b.language;
        this.maxNewTokens = b.maxNewTokens;
        LOG.info("Whisper transcriber from {} on {} ({} mel bins, {} decoder layers, language {})", dir, sessions.device(),
                config.melBins(), config.decoderLayers(), language == null ? "detected per clip" : language);
    }

    /**
     * Starts configuring a transcriber for the export folder {@code modelDirectory}.
     *
     * @throws NullPointerException when {@code modelDirectory} is null
     */
    public static Builder builder(Path modelDirectory) {
        return new Builder(Objects.requireNonNull(modelDirectory, "modelDirectory"));
    }

    /**
     * The transcript of {@code reference}, from the cache when this clip was transcribed before.
     *
     * @throws IllegalArgumentException when the clip is empty
     * @throws IllegalStateException after {@link #close()}
     * @throws OrtException when a model call fails
     */
    @Override
    public String transcribe(AudioClip reference) throws OrtException {
        return transcribeDetailed(reference).text();
    }

    /** As {@link #transcribe}, with the language used and the token ids. */
    public Transcript transcribeDetailed(AudioClip reference) throws OrtException {
        Objects.requireNonNull(reference, "reference");
        if (reference.length() == 0) {
            throw new IllegalArgumentException("The reference audio is empty: there is nothing to transcribe");
        }
        String key = TranscriptCache.key(reference);
        Transcript cached = cache.get(key);
        if (cached != null) {
            return cached;
        }
        lock.readLock().lock();
        try {
            if (closed) {
                throw new IllegalStateException("The Whisper transcriber is closed");
            }
            Transcript t = run(reference);
            cache.put(key, t);
            return t;
        } finally {
            lock.readLock().unlock();
        }
    }

    private Transcript run(AudioClip reference) throws OrtException {
        AudioClip at16k = reference.sampleRate() == LogMelSpectrogram.SAMPLE_RATE ? reference
                : Resampler.resample(reference, LogMelSpectrogram.SAMPLE_RATE);
        if (at16k.length() > LogMelSpectrogram.N_SAMPLES) {
            LOG.warn("reference of {} s is longer than Whisper's 30 s window: only the first 30 s are transcribed",
                    String.format(Locale.ROOT, "%.1f", at16k.durationSeconds()));
        }
        float[] features = frontEnd.compute(at16k.samples());
        OrtEnvironment env = sessions.factory().env();
        long[] shape = {1, frontEnd.melBins(), LogMelSpectrogram.N_FRAMES};
        try (OnnxTensor input = floatTensor(env, features, shape, sessions.encoderFloat());
                OrtSession.Result encoded = sessions.encoder().run(Map.of("input_features", input))) {
            OnnxTensor hidden = (OnnxTensor) encoded.get("last_hidden_state").orElseThrow();
            GreedyDecoder.Decoded d = decoder.decode(hidden, language, maxNewTokens);
            return new Transcript(tokenizer.decode(d.tokens()).strip(), d.language(), d.tokens());
        }
    }

    private static OnnxTensor floatTensor(OrtEnvironment env, float[] values, long[] shape, OnnxJavaType type)
            throws OrtException {
        if (type == OnnxJavaType.FLOAT16) {
            ByteBuffer b = ByteBuffer.allocateDirect(values.length * 2).order(ByteOrder.nativeOrder());
            ShortBuffer s = b.asShortBuffer();
            for (int i = 0; i < values.length; i++) {
                s.put(i, Fp16Conversions.floatToFp16(values[i]));
            }
            return OnnxTensor.createTensor(env, b, shape, OnnxJavaType.FLOAT16);
        }
        return OnnxTensor.createTensor(env, FloatBuffer.wrap(values), shape);
    }

    /** Where the models run: {@code CUDA:n} or {@code CPU}. */
    public String device() {
        return sessions.device();
    }

    /** Transcripts held in the cache now. */
    public int cachedTranscripts() {
        return cache.size();
    }

    /** Closes both sessions once running calls have finished; later calls fail. Idempotent. */
    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            if (!closed) {
                closed = true;
                sessions.close();
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Options for {@link WhisperTranscriber}; {@link #build()} loads and checks the export. */
    public static final class Builder {
        private final Path modelDirectory;
        private ExecutionProvider provider = ExecutionProvider.AUTO;
        private int deviceId;
        private int intraOpThreads;
        private String language;
        private String variant = "";
        private int maxNewTokens = 224;
        private int cacheSize = 256;
        private GraphOptimizationLevel optimizationLevel = GraphOptimizationLevel.ALL;
        private OrtSessionFactory.CudaAppender cuda = OrtSessionFactory.DEFAULT_CUDA;
        private final Map<String, String> cudaOptions = new java.util.LinkedHashMap<>(OrtSessionFactory.DEFAULT_CUDA_OPTIONS);

        private Builder(Path modelDirectory) {
            this.modelDirectory = modelDirectory;
        }

        /** Where encoder and decoder run (default {@link ExecutionProvider#AUTO}). */
        public Builder provider(ExecutionProvider value) {
            provider = Objects.requireNonNull(value, "provider");
            return this;
        }

        /** CUDA device ordinal (default 0); ignored on the CPU. */
        public Builder deviceId(int value) {
            if (value < 0) {
                throw new IllegalArgumentException("deviceId must be >= 0: " + value);
            }
            deviceId = value;
            return this;
        }

        /** Threads per operator on the CPU; 0 (default) lets ONNX Runtime use one per core. */
        public Builder intraOpThreads(int value) {
            if (value < 0) {
                throw new IllegalArgumentException("intraOpThreads must be >= 0: " + value);
            }
            intraOpThreads = value;
            return this;
        }

        /**
         * The language of the references, as Whisper's code ({@code en}, {@code zh}, ...); null
         * or {@code auto} (the default) detects it per clip, as upstream F5-TTS lets Whisper do.
         */
        public Builder language(String value) {
            language = value == null || value.isBlank() || value.trim().equalsIgnoreCase("auto") ? null
                    : value.trim().toLowerCase(Locale.ROOT);
            return this;
        }

        /**
         * Which files of the export to load: empty (default) for {@code encoder_model.onnx} and
         * {@code decoder_model_merged.onnx}, or a suffix the export ships, such as {@code fp16}
         * or {@code quantized} ({@code encoder_model_fp16.onnx}, ...).
         */
        public Builder variant(String value) {
            String v = value == null ? "" : value.trim();
            if (!v.matches("[A-Za-z0-9_]*")) {
                throw new IllegalArgumentException("variant must be a file-name suffix such as fp16 or quantized: " + value);
            }
            variant = v;
            return this;
        }

        /** Most tokens decoded per clip (default 224, Whisper's own sample length); at least 1. */
        public Builder maxNewTokens(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("maxNewTokens must be at least 1: " + value);
            }
            maxNewTokens = value;
            return this;
        }

        /** How many transcripts the content-hash cache keeps (default 256; 0 = no cache). */
        public Builder cacheSize(int value) {
            if (value < 0) {
                throw new IllegalArgumentException("cacheSize must be >= 0: " + value);
            }
            cacheSize = value;
            return this;
        }

        /** Graph optimisation level of both sessions (default {@link GraphOptimizationLevel#ALL}). */
        public Builder optimizationLevel(GraphOptimizationLevel value) {
            optimizationLevel = Objects.requireNonNull(value, "optimizationLevel");
            return this;
        }

        /**
         * Sets a CUDA provider option (as ONNX Runtime names it, e.g. {@code gpu_mem_limit}),
         * over the defaults {@code cudnn_conv_algo_search=HEURISTIC} and
         * {@code arena_extend_strategy=kSameAsRequested}.
         */
        public Builder cudaOption(String key, String value) {
            cudaOptions.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** Test seam: how CUDA is added to session options. */
        Builder cudaAppender(OrtSessionFactory.CudaAppender value) {
            cuda = Objects.requireNonNull(value);
            return this;
        }

        /**
         * Loads the export.
         *
         * @throws WhisperModelException when the folder, a file or a model does not fit the
         *     layout, or CUDA was required and cannot start; the message lists every problem found
         */
        public WhisperTranscriber build() {
            return new WhisperTranscriber(this);
        }
    }
}
