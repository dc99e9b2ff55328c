package dev.ttsqueue.benchmarks.inference;

import dev.ttsqueue.benchmarks.SilentContext;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.ttsqueue.InferenceSettings;
import dev.ttsqueue.audio.AudioClip;
import dev.ttsqueue.inference.f5.ExecutionProvider;
import dev.ttsqueue.inference.f5.F5OnnxBackend;
import dev.ttsqueue.inference.f5.testmodel.TestModelGenerator;
import dev.ttsqueue.spi.SynthesisContext;
import dev.ttsqueue.spi.SynthesisRequest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Host-side overhead of {@link F5OnnxBackend} per job, against a baseline of the bare ONNX Runtime
 * calls the same job needs. Models are generated at set-up with the real export's tensor sizes
 * (16 heads of 64, 612-wide conditioning, 100 mels, D about 1000 frames) but thin arithmetic, so
 * one job runs in about a second on a CPU; thin models make the overhead share look larger than it
 * would next to the real transformer, so the figure is an upper bound.
 *
 * <ul>
 *   <li>{@code backendJob}: {@code F5OnnxBackend.synthesize}: reference clean-up, text, chunking,
 *       seeded noise, one preprocess, 31 transformer calls, decode, join.</li>
 *   <li>{@code bareOrtCalls}: only the same 33 {@code OrtSession.run} calls on the same inputs,
 *       shapes (from the backend's {@link F5OnnxBackend#plan dry run}), everything else prepared beforehand (the floor any backend pays).</li>
 * </ul>
 *
 * Overhead = (backendJob - bareOrtCalls) / backendJob. The backend's own split
 * ({@link F5OnnxBackend#timings()}) is printed at tear-down as a cross-check.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 5, time = 5)
public class F5HostOverheadBenchmark {
    private static final String REF_TEXT = "Some call me nature, others call me mother nature.";
    private static final String TEXT = "I have been here a very long time, longer than anyone.";
    private static final int THREADS = 1;

    private Path dir;
    private F5OnnxBackend backend;
    private SynthesisRequest request;
    private final SynthesisContext ctx = SilentContext.INSTANCE;

    private OrtEnvironment env;
    private OrtSession preprocess;
    private OrtSession transformer;
    private OrtSession decode;
    private OnnxTensor audio;
    private OnnxTensor textIds;
    private OnnxTensor maxDuration;
    private long frames;
    private float[] startNoise;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        dir = Files.createTempDirectory("f5-bench-models");
        TestModelGenerator.generate(dir, new TestModelGenerator.Dims(16, 64, 100, 612, false, 2, true), List.of());
        backend = F5OnnxBackend.builder(dir).provider(ExecutionProvider.CPU).intraOpThreads(THREADS).build();
        AudioClip reference = tone(5.0);
        request = new SynthesisRequest(reference, REF_TEXT, TEXT, InferenceSettings.defaults().withSeed(1), 1);

        // the inputs the backend gives the models for this job, from its own dry run
        F5OnnxBackend.Plan plan = backend.plan(request);
        if (plan.chunks().size() != 1) {
            throw new IllegalStateException("expected one chunk, got " + plan.chunks().size());
        }
        F5OnnxBackend.Plan.Chunk chunk = plan.chunks().get(0);
        frames = chunk.maxDuration();
        System.out.println("\nF5 benchmark job: D = " + frames + " frames, " + chunk.textIds().length + " text ids");

        env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            o.setMemoryPatternOptimization(true);
            o.setIntraOpNumThreads(THREADS);
            preprocess = env.createSession(dir.resolve("F5_Preprocess.onnx").toString(), o);
            transformer = env.createSession(dir.resolve("F5_Transformer.onnx").toString(), o);
            decode = env.createSession(dir.resolve("F5_Decode.onnx").toString(), o);
        }
        audio = OnnxTensor.createTensor(env, ShortBuffer.wrap(plan.referencePcm()), new long[] {1, 1, plan.referencePcm().length});
        textIds = OnnxTensor.createTensor(env, IntBuffer.wrap(chunk.textIds()), new long[] {1, chunk.textIds().length});
        maxDuration = OnnxTensor.createTensor(env, LongBuffer.wrap(new long[] {frames}), new long[] {1});
        // Gaussian starting values of the same size as the backend's; their values do not change
        // what the model calls cost
        startNoise = new float[Math.toIntExact(frames * 100)];
        SplittableRandom random = new SplittableRandom(request.seed());
        for (int i = 0; i < startNoise.length; i++) {
            startNoise[i] = (float) random.nextGaussian();
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        F5OnnxBackend.Timings t = backend.timings();
        if (t.jobs() > 0) {
            System.out.printf("%nF5 backend timings: %d jobs, %.1f ms/job total, %.1f ms/job in OrtSession.run, host share %.2f%%%n",
                    t.jobs(), t.totalNanos() / 1e6 / t.jobs(), t.sessionRunNanos() / 1e6 / t.jobs(),
                    100 * t.hostOverheadFraction());
            // per model, so a GPU run shows where the host-side copies and the CPU parts go
            System.out.printf("F5 per job: preprocess %.2f ms, transformer %.2f ms (%d steps, %.3f ms/step), decode %.2f ms%n",
                    t.preprocessNanos() / 1e6 / t.jobs(), t.transformerNanos() / 1e6 / t.jobs(),
                    t.transformerCalls() / t.jobs(), t.transformerNanos() / 1e6 / t.transformerCalls(),
                    t.decodeNanos() / 1e6 / t.jobs());
            System.out.printf("F5 transformer inputs per step: %,d bytes (measured); on CUDA the Java API copies them host to device every step%n",
                    t.transformerInputBytesPerCall());
        }
        // What one step copies at the export's sizes (16 heads of 64, 100 mels, 612-wide conditioning):
        // noise D x 100, four rope tensors 2 x 16 x D x 64, two conditioning tensors D x 612, the int32 step.
        for (int d : new int[] {frames > 0 ? (int) frames : 966, 2048, 4096}) {
            long elements = (long) d * (100 + 4 * 2 * 16 * 64 + 2 * 612);
            System.out.printf("export sizes, D = %d: %,d bytes per step in fp32, %,d in fp16%n", d, elements * 4 + 4, elements * 2 + 4);
        }
        backend.close();
        audio.close();
        textIds.close();
        maxDuration.close();
        preprocess.close();
        transformer.close();
        decode.close();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
        Files.delete(dir);
    }

    @Benchmark
    public AudioClip backendJob() throws Exception {
        return backend.synthesize(request, ctx);
    }

    @Benchmark
    public int bareOrtCalls() throws OrtException {
        Map<String, OnnxTensor> preIn = Map.of("audio", audio, "text_ids", textIds, "max_duration", maxDuration);
        try (OrtSession.Result pre = preprocess.run(preIn)) {
            OnnxTensor noise = (OnnxTensor) pre.get("noise").orElseThrow();
            long[] shape = noise.getInfo().getShape();
            int bytes = Math.toIntExact(shape[0] * shape[1] * shape[2] * 4);
            ByteBuffer a = ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
            a.asFloatBuffer().put(startNoise);
            ByteBuffer b = ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
            IntBuffer sa = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder()).asIntBuffer();
            IntBuffer sb = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder()).asIntBuffer();
            try (OnnxTensor xa = OnnxTensor.createTensor(env, a, shape, OnnxJavaType.FLOAT);
                    OnnxTensor xb = OnnxTensor.createTensor(env, b, shape, OnnxJavaType.FLOAT);
                    OnnxTensor ta = OnnxTensor.createTensor(env, sa, new long[] {1});
                    OnnxTensor tb = OnnxTensor.createTensor(env, sb, new long[] {1})) {
                Map<String, OnnxTensor> in = new HashMap<>();
                for (String name : List.of("rope_cos_q", "rope_sin_q", "rope_cos_k", "rope_sin_k", "cat_mel_text", "cat_mel_text_drop")) {
                    in.put(name, (OnnxTensor) pre.get(name).orElseThrow());
                }
                Map<String, OnnxValue> pinned = new HashMap<>();
                OnnxTensor x = xa;
                OnnxTensor xn = xb;
                OnnxTensor t = ta;
                OnnxTensor tn = tb;
                for (int step = 0; step < 31; step++) {
                    in.put("noise", x);
                    in.put("time_step.1", t);
                    pinned.put("denoised", xn);
                    pinned.put("time_step", tn);
                    transformer.run(in, pinned).close();
                    OnnxTensor s = x;
                    x = xn;
                    xn = s;
                    s = t;
                    t = tn;
                    tn = s;
                }
                Map<String, OnnxTensor> decIn = Map.of("denoised", x, "ref_signal_len", (OnnxTensor) pre.get("ref_signal_len").orElseThrow());
                try (OrtSession.Result dec = decode.run(decIn)) {
                    return ((OnnxTensor) dec.get(0)).getShortBuffer().remaining();
                }
            }
        }
    }

    private static AudioClip tone(double seconds) {
        int n = (int) Math.round(seconds * 24_000);
        float[] s = new float[n];
        for (int i = 0; i < n; i++) {
            s[i] = (float) (0.3 * Math.sin(2 * Math.PI * 180 * i / 24_000.0) + 0.1 * Math.sin(2 * Math.PI * 530 * i / 24_000.0));
        }
        return new AudioClip(s, 24_000);
    }
}
