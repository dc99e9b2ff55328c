package dev.ttsqueue.inference.f5;

import ai.onnxruntime.OrtEnvironment;
import dev.ttsqueue.InferenceSettings;
import dev.ttsqueue.InvalidRequestException;
import dev.ttsqueue.audio.AudioClip;
import dev.ttsqueue.audio.CrossFade;
import dev.ttsqueue.audio.Resampler;
import dev.ttsqueue.inference.GraphOptimizationLevel;
import dev.ttsqueue.inference.f5.internal.F5Pipeline;
import dev.ttsqueue.inference.f5.internal.F5Planner;
import dev.ttsqueue.inference.f5.internal.F5Sessions;
import dev.ttsqueue.inference.f5.internal.PreparedReference;
import dev.ttsqueue.inference.f5.internal.ReferenceClipper;
import dev.ttsqueue.inference.internal.OrtSessionFactory;
import dev.ttsqueue.spi.BackendInfo;
import dev.ttsqueue.spi.ModelState;
import dev.ttsqueue.spi.SynthesisContext;
import dev.ttsqueue.spi.SynthesisRequest;
import dev.ttsqueue.spi.Transcriber;
import dev.ttsqueue.spi.TtsBackend;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * F5-TTS voice cloning on ONNX Runtime, from the three-model export of the F5-TTS-ONNX project
 * ({@code F5_Preprocess.onnx}, {@code F5_Transformer.onnx}, {@code F5_Decode.onnx}, {@code vocab.txt}).
 *
 * <pre>{@code
 * try (F5OnnxBackend backend = F5OnnxBackend.builder(Path.of("/models/f5"))
 *         .provider(ExecutionProvider.AUTO)
 *         .build()) {
 *     ...
 * }
 * }</pre>
 *
 * <p>Sessions are created once by {@link Builder#build()} and reused for every job; the
 * transformer runs on CUDA when asked and available, preprocess and decode on the CPU. Every job
 * draws its starting noise from its seed, so the same seed and inputs give the same audio on the
 * same provider. One job runs at a time per instance ({@link #synthesize} is synchronised).
 */
public final class F5OnnxBackend implements TtsBackend {
    /** Output sample rate of F5-TTS (Vocos, 24 kHz). */
    public static final int SAMPLE_RATE = 24_000;

    private final F5Sessions sessions;
    private final F5Pipeline pipeline;
    private final F5Planner planner;
    private final BackendInfo info;
    private final AtomicLong jobs = new AtomicLong();
    private final AtomicLong totalNanos = new AtomicLong();
    private boolean closed;
    /** Last reference and its prepared form: jobs in one voice skip the clean-up (upstream caches it too). */
    private AudioClip lastReference;
    private PreparedReference lastPrepared;

    private F5OnnxBackend(Builder b) {
        OrtSessionFactory factory = new OrtSessionFactory(OrtEnvironment.getEnvironment(), b.optimizationLevel,
                b.intraOpThreads, b.cuda, b.cudaOptions);
        this.sessions = F5Sessions.open(b.modelDirectory, new F5Sessions.Options(b.provider, b.deviceId, b.defaultNfeStep,
                factory, b.preprocessOnCuda, b.decodeOnCuda));
        this.pipeline = new F5Pipeline(sessions, b.pipelineDecode != null ? b.pipelineDecode : sessions.decodeOnSeparateDevice());
        this.planner = new F5Planner(pipeline.tokenizer(), b.maxFrames, b.chinesePauseBytes);
        this.info = new BackendInfo("f5-tts-onnx", SAMPLE_RATE, true, true, sessions.transformers().keySet(),
                b.defaultNfeStep, 0, 1, sessions.device());
    }

    /**
     * Starts configuring a backend for the model directory {@code modelDirectory}.
     *
     * @throws NullPointerException when {@code modelDirectory} is null
     */
    public static Builder builder(Path modelDirectory) {
        return new Builder(Objects.requireNonNull(modelDirectory, "modelDirectory"));
    }

    /**
     * Wraps a transcriber so that it hears what this backend will clone: the reference resampled to
     * 24 kHz and clipped to at most 12 s as the backend does, the order upstream F5-TTS follows
     * (clip, then transcribe). A transcript of the whole upload would name words the clipped audio
     * lacks, and the model would then speak them in the wrong place.
     *
     * <p>The wrapper is {@link AutoCloseable}: closing it closes {@code transcriber} when that is
     * closeable, so a queue that owns the wrapper releases the transcriber's models.
     *
     * @throws NullPointerException when {@code transcriber} is null
     */
    public static Transcriber clippedReferences(Transcriber transcriber) {
        return new ClippingTranscriber(Objects.requireNonNull(transcriber, "transcriber"));
    }

    private record ClippingTranscriber(Transcriber inner) implements Transcriber, AutoCloseable {
        @Override
        public String transcribe(AudioClip reference) throws Exception {
            AudioClip at24k = reference.sampleRate() == SAMPLE_RATE ? reference : Resampler.resample(reference, SAMPLE_RATE);
            return inner.transcribe(new AudioClip(ReferenceClipper.clip(at24k.samples()), SAMPLE_RATE));
        }

        @Override
        public void close() throws Exception {
            if (inner instanceof AutoCloseable c) {
                c.close();
            }
        }
    }

    /** Name {@code f5-tts-onnx}; NFE steps = those with a transformer file; device {@code CUDA:n} or {@code CPU}. */
    @Override
    public BackendInfo info() {
        return info;
    }

    /**
     * Synthesises {@code request.text()} in the voice of {@code request.referenceAudio()}.
     *
     * @throws IllegalArgumentException when there is no reference audio or transcript, the reference
     *     is silent, or there is nothing to say
     * @throws InvalidRequestException when the NFE step has no transformer file
     * @throws dev.ttsqueue.JobCancelledException when {@code ctx} is cancelled between two model calls
     * @throws IllegalStateException after {@link #close()}
     */
    @Override
    public synchronized AudioClip synthesize(SynthesisRequest request, SynthesisContext ctx) throws Exception {
        if (closed) {
            throw new IllegalStateException("The F5 backend is closed");
        }
        long start = System.nanoTime();
        int nfe = request.settings().nfeStep();
        if (!sessions.transformers().containsKey(nfe)) {
            throw new InvalidRequestException("nfe_step " + nfe + " is not available: this model was exported for "
                    + sessions.transformers().keySet().stream().map(String::valueOf).collect(Collectors.joining(", ")));
        }
        if (request.referenceAudio() == null) {
            throw new IllegalArgumentException("F5-TTS clones a voice: the job has no reference audio");
        }
        PreparedReference ref = prepare(request.referenceAudio());
        List<F5Pipeline.ChunkPlan> plans = planner.plan(ref.pcm().length, request.refText(), request.text(),
                request.settings().speed());
        int total = plans.size() * (nfe - 1 + 2);
        // Each chunk is joined as it is decoded, and what no later chunk can change (all but the
        // cross-fade) is handed over at once: listeners hear chunk 1 while chunk 2 is made.
        CrossFade.Joiner joiner = new CrossFade.Joiner(SAMPLE_RATE, request.settings().crossFadeDuration());
        double gain = ref.outputGain();
        List<AudioClip> parts = new ArrayList<>(plans.size());
        for (float[] chunk : pipeline.run(ref.pcm(), plans, nfe, request.seed(), ctx, total,
                decoded -> handOver(joiner.add(new AudioClip(decoded, SAMPLE_RATE)), gain, ctx))) {
            parts.add(new AudioClip(chunk, SAMPLE_RATE));
        }
        handOver(joiner.finish(), gain, ctx);
        float[] joined = CrossFade.join(parts, request.settings().crossFadeDuration()).samples();
        if (gain != 1.0) {
            // the chunk arrays and the joined one are this job's own, so scaling in place is safe
            for (int i = 0; i < joined.length; i++) {
                joined[i] = (float) (joined[i] * gain);
            }
        }
        jobs.incrementAndGet();
        totalNanos.addAndGet(System.nanoTime() - start);
        return new AudioClip(joined, SAMPLE_RATE);
    }

    /**
     * Two requests at the default NFE step, one sentence and three, in a made-up voice: a 3 s
     * vowel-like signal (a 140 Hz voice with harmonics, four syllables a second) and its "transcript".
     * What they warm up is the device, not the voice: the first calls of a session choose
     * convolution algorithms, fill memory pools and compile kernels (seconds on CUDA), and the
     * lengths give the queue's speed model a cost per job and per character to start from.
     */
    @Override
    public List<SynthesisRequest> warmUpRequests() {
        AudioClip voice = warmUpVoice();
        InferenceSettings settings = InferenceSettings.defaults().withNfeStep(info.defaultNfeStep());
        String refText = "This is how the warm up voice sounds.";
        return List.of(
                new SynthesisRequest(voice, refText, "The model is getting ready.", settings, 1),
                new SynthesisRequest(voice, refText, "The first jobs of the day should not wait for the device to wake up. "
                        + "So it speaks a few lines before the queue opens. Then every job runs at full speed.", settings, 2));
    }

    private static AudioClip warmUpVoice() {
        float[] s = new float[3 * SAMPLE_RATE];
        for (int i = 0; i < s.length; i++) {
            double t = (double) i / SAMPLE_RATE;
            double syllables = 0.5 - 0.5 * Math.cos(2 * Math.PI * 4 * t);
            double v = 0;
            for (int h = 1; h <= 5; h++) {
                v += Math.sin(2 * Math.PI * 140 * h * t) / h;
            }
            s[i] = (float) (0.2 * syllables * v);
        }
        return new AudioClip(s, SAMPLE_RATE);
    }

    /** Hands a final piece to the queue, at the output gain (the joined result gets the same). */
    private static void handOver(AudioClip piece, double gain, SynthesisContext ctx) {
        if (piece.length() == 0) {
            return;
        }
        if (gain != 1.0) {
            float[] s = piece.samples(); // the joiner's own copy
            for (int i = 0; i < s.length; i++) {
                s[i] = (float) (s[i] * gain);
            }
        }
        ctx.audioReady(piece);
    }

    /**
     * What {@link #synthesize} would feed the models for {@code request}, without running them: the
     * reference as the preprocess model receives it (cleaned, 16-bit at 24 kHz) and each chunk's
     * text, token ids and frame budget ({@code max_duration}). For cost estimates and for measuring
     * this backend against bare ONNX Runtime calls on the same inputs.
     *
     * @throws IllegalArgumentException as {@link #synthesize} does for a request it cannot plan
     */
    public Plan plan(SynthesisRequest request) {
        if (request.referenceAudio() == null) {
            throw new IllegalArgumentException("F5-TTS clones a voice: the job has no reference audio");
        }
        PreparedReference ref = PreparedReference.of(request.referenceAudio());
        List<Plan.Chunk> chunks = planner.plan(ref.pcm().length, request.refText(), request.text(),
                request.settings().speed()).stream()
                .map(c -> new Plan.Chunk(c.text(), c.textIds().clone(), c.maxDuration())).toList();
        return new Plan(ref.pcm().clone(), chunks);
    }

    /**
     * A job's inputs as {@link #plan} computes them.
     *
     * @param referencePcm the cleaned reference, 16-bit samples at {@link #SAMPLE_RATE}
     * @param chunks the chunks in speaking order
     */
    public record Plan(short[] referencePcm, List<Chunk> chunks) {
        /**
         * One model pass.
         *
         * @param text the chunk's text after clean-up
         * @param textIds the reference transcript and this text as token ids
         * @param maxDuration the frames the chunk may take, reference included
         */
        public record Chunk(String text, int[] textIds, long maxDuration) {
        }
    }

    private PreparedReference prepare(AudioClip reference) {
        if (lastPrepared == null || !reference.equals(lastReference)) {
            lastPrepared = PreparedReference.of(reference);
            lastReference = reference;
        }
        return lastPrepared;
    }

    /**
     * Where time went over the jobs this instance completed: inside ONNX Runtime's
     * {@code OrtSession.run}, per model, versus host-side work (reference preparation, text, noise,
     * buffers, joins). With pipelined decoding, decode time overlaps transformer time, so the parts
     * can add up to more than {@code totalNanos}.
     *
     * @param jobs completed jobs
     * @param totalNanos wall time of those jobs inside {@link #synthesize}
     * @param sessionRunNanos time inside {@code OrtSession.run}, all three models
     * @param sessionRuns number of {@code OrtSession.run} calls
     * @param preprocessNanos time inside the preprocess model
     * @param transformerNanos time inside transformer calls
     * @param decodeNanos time inside the decode model
     * @param transformerCalls transformer calls (flow steps)
     * @param transformerInputBytes bytes of all tensors fed to those calls: on CUDA, what ONNX
     *     Runtime copies from host to device, since the Java API binds inputs in host memory
     */
    public record Timings(long jobs, long totalNanos, long sessionRunNanos, long sessionRuns, long preprocessNanos,
            long transformerNanos, long decodeNanos, long transformerCalls, long transformerInputBytes) {
        /** Host-side share of the total, 0 when nothing ran. */
        public double hostOverheadFraction() {
            return totalNanos == 0 ? 0 : (totalNanos - sessionRunNanos) / (double) totalNanos;
        }

        /** Mean input bytes per transformer call, 0 when none ran. */
        public long transformerInputBytesPerCall() {
            return transformerCalls == 0 ? 0 : transformerInputBytes / transformerCalls;
        }
    }

    /** Cumulative timings since this backend was built (cancelled or failed jobs count only their model calls). */
    public Timings timings() {
        return new Timings(jobs.get(), totalNanos.get(), pipeline.sessionNanos(), pipeline.sessionRuns(),
                pipeline.preprocessNanos(), pipeline.transformerNanos(), pipeline.decodeNanos(), pipeline.transformerCalls(),
                pipeline.transformerInputBytes());
    }

    /** Decodes run on the decode thread so far; for tests. */
    long pipelinedDecodes() {
        return pipeline.pipelinedDecodes();
    }

    /** Whether chunk decodes overlap the next chunk's transformer steps (see {@link Builder#pipelineDecode}). */
    public boolean pipelinesDecode() {
        return pipeline.pipelined();
    }

    /**
     * The model (preprocess and transformer sessions) and the vocoder (the decode session, which
     * holds Vocos) are loaded from {@link Builder#build()}, which opens every session or fails,
     * until {@link #close()}.
     */
    @Override
    public ModelState modelState() {
        boolean open = sessions.isOpen();
        return new ModelState(open, open);
    }

    /** Closes every ONNX session; later calls to {@link #synthesize} fail. Idempotent. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            lastReference = null;
            lastPrepared = null;
            pipeline.close();
            sessions.close();
        }
    }

    /** Options for {@link F5OnnxBackend}; {@link #build()} loads and checks the models. */
    public static final class Builder {
        private final Path modelDirectory;
        private ExecutionProvider provider = ExecutionProvider.AUTO;
        private int deviceId;
        private int intraOpThreads;
        private int defaultNfeStep = 32;
        private int maxFrames = 4096;
        private int chinesePauseBytes;
        private OrtSessionFactory.CudaAppender cuda = OrtSessionFactory.DEFAULT_CUDA;
        private final Map<String, String> cudaOptions = new LinkedHashMap<>(OrtSessionFactory.DEFAULT_CUDA_OPTIONS);
        private GraphOptimizationLevel optimizationLevel = GraphOptimizationLevel.ALL;
        private boolean preprocessOnCuda;
        private boolean decodeOnCuda;
        private Boolean pipelineDecode;

        private Builder(Path modelDirectory) {
            this.modelDirectory = modelDirectory;
        }

        /** Where the transformer runs (default {@link ExecutionProvider#AUTO}). */
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
         * The NFE step {@code F5_Transformer.onnx} was exported for (default 32, the export's
         * default). Files named {@code F5_Transformer_nfe<N>.onnx} add step counts.
         */
        public Builder defaultNfeStep(int value) {
            if (value < 2) {
                throw new IllegalArgumentException("defaultNfeStep must be at least 2: " + value);
            }
            defaultNfeStep = value;
            return this;
        }

        /** Longest {@code max_duration} in mel frames the export accepts (default 4096, its MAX_SIGNAL_LENGTH). */
        public Builder maxFrames(int value) {
            if (value < 2) {
                throw new IllegalArgumentException("maxFrames must be at least 2: " + value);
            }
            maxFrames = value;
            return this;
        }

        /**
         * Bytes the duration formula adds for each Chinese pause mark ({@code 。，、；：？！}).
         * 0 (the default) matches upstream F5-TTS; the F5-TTS-ONNX script means to add 3 but its
         * pattern never matches, so it adds 0 too. A larger value gives Chinese text more time.
         */
        public Builder chinesePauseBytes(int value) {
            if (value < 0) {
                throw new IllegalArgumentException("chinesePauseBytes must be >= 0: " + value);
            }
            chinesePauseBytes = value;
            return this;
        }

        /** Graph optimisation level of every session (default {@link GraphOptimizationLevel#ALL}). */
        public Builder optimizationLevel(GraphOptimizationLevel value) {
            optimizationLevel = Objects.requireNonNull(value, "optimizationLevel");
            return this;
        }

        /**
         * Sets a CUDA provider option as ONNX Runtime names it (for example {@code gpu_mem_limit}),
         * over the defaults suited to F5's changing frame counts: {@code cudnn_conv_algo_search=HEURISTIC}
         * (the default search benchmarks every convolution again for each new length) and
         * {@code arena_extend_strategy=kSameAsRequested} (the default doubles the arena on growth).
         */
        public Builder cudaOption(String key, String value) {
            cudaOptions.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * Runs {@code F5_Preprocess.onnx} on CUDA as well when the transformer runs there (default
         * false: the CPU, as the export's reference scripts do). Saves copying the conditioning
         * tensors to the device per chunk, at the cost of device memory.
         */
        public Builder preprocessOnCuda(boolean value) {
            preprocessOnCuda = value;
            return this;
        }

        /**
         * Runs {@code F5_Decode.onnx} (Vocos) on CUDA as well when the transformer runs there
         * (default false). On the CPU, decoding a chunk overlaps the next chunk's transformer steps.
         */
        public Builder decodeOnCuda(boolean value) {
            decodeOnCuda = value;
            return this;
        }

        /**
         * Decode chunk k on a thread of its own while chunk k+1 runs its transformer steps. By
         * default on exactly when the transformer runs on CUDA and decode on the CPU, where the two
         * devices then work at once; on a CPU alone they would only compete for the same cores.
         * The audio is the same either way.
         */
        public Builder pipelineDecode(boolean value) {
            pipelineDecode = value;
            return this;
        }

        /** Test seam: how CUDA is added to session options. */
        Builder cudaAppender(OrtSessionFactory.CudaAppender value) {
            cuda = Objects.requireNonNull(value);
            return this;
        }

        /**
         * Opens the sessions.
         *
         * @throws F5ModelException when the directory, a file or a model does not fit, or CUDA was
         *     required and cannot start; the message lists every problem found
         */
        public F5OnnxBackend build() {
            return new F5OnnxBackend(this);
        }
    }
}
