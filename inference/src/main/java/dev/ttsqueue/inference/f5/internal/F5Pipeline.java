package dev.ttsqueue.inference.f5.internal;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.platform.Fp16Conversions;
import dev.ttsqueue.spi.SynthesisContext;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs one F5 job on open sessions: per text chunk one preprocess, NFE-1 transformer calls and one
 * decode, with progress after every call and a cancellation check before each.
 *
 * <p>Buffers: the conditioning tensors from the preprocess go straight into every transformer call
 * (no copy in Java); the noise and the step live in two pairs of direct buffers that are bound as
 * input and pinned output in turn, so the loop allocates nothing per step.
 */
public final class F5Pipeline {
    /** Sample count per mel frame of the export. */
    public static final int HOP = 256;

    private final F5Sessions sessions;
    private final F5Tokenizer tokenizer;
    private final AtomicLong sessionNanos = new AtomicLong();
    private final AtomicLong sessionRuns = new AtomicLong();

    public F5Pipeline(F5Sessions sessions) {
        this.sessions = sessions;
        this.tokenizer = new F5Tokenizer(sessions.vocabulary());
    }

    /** One chunk's work: its text ids and {@code max_duration}. */
    public record ChunkPlan(String text, int[] textIds, long maxDuration) {
    }

    public F5Tokenizer tokenizer() {
        return tokenizer;
    }

    /** Nanoseconds spent inside {@link OrtSession#run} since start. */
    public long sessionNanos() {
        return sessionNanos.get();
    }

    public long sessionRuns() {
        return sessionRuns.get();
    }

    /**
     * Synthesises the planned chunks and returns each chunk's samples (in [-1, 1], before gain and joins).
     *
     * @param progressTotal steps announced to {@code ctx}
     */
    public List<float[]> run(short[] referencePcm, List<ChunkPlan> chunks, int nfe, long seed, SynthesisContext ctx,
            int progressTotal) throws OrtException {
        Progress progress = new Progress(ctx, progressTotal);
        List<float[]> out = new ArrayList<>(chunks.size());
        try (OnnxTensor audio = OnnxTensor.createTensor(sessions.env(), ShortBuffer.wrap(referencePcm),
                new long[] {1, 1, referencePcm.length})) {
            for (int c = 0; c < chunks.size(); c++) {
                out.add(chunk(audio, chunks.get(c), nfe, seed, c, progress));
            }
        }
        return out;
    }

    /** Counts model calls and reports each to the job. */
    private static final class Progress {
        private final SynthesisContext ctx;
        private final int total;
        private int done;

        Progress(SynthesisContext ctx, int total) {
            this.ctx = ctx;
            this.total = total;
        }

        void step() {
            ctx.reportProgress(++done, total);
        }

        void checkCancelled() {
            ctx.throwIfCancelled();
        }
    }

    /** Preprocess, transformer loop and decode for one chunk. */
    private float[] chunk(OnnxTensor audio, ChunkPlan plan, int nfe, long seed, int chunkIndex, Progress progress)
            throws OrtException {
        OrtEnvironment env = sessions.env();
        ModelContract.Checked pNames = sessions.preprocessNames();
        progress.checkCancelled();
        try (OnnxTensor ids = OnnxTensor.createTensor(env, IntBuffer.wrap(plan.textIds()), new long[] {1, plan.textIds().length});
                OnnxTensor maxDuration = OnnxTensor.createTensor(env, LongBuffer.wrap(new long[] {plan.maxDuration()}), new long[] {1})) {
            Map<String, OnnxTensor> preIn = new HashMap<>();
            preIn.put(pNames.input("audio"), audio);
            preIn.put(pNames.input("text_ids"), ids);
            preIn.put(pNames.input("max_duration"), maxDuration);
            try (OrtSession.Result pre = timed(sessions.preprocess(), preIn, null)) {
                progress.step();
                OnnxTensor denoised = denoise(pre, nfe, seed, chunkIndex, progress);
                try {
                    progress.checkCancelled();
                    return decode(denoised, (OnnxTensor) pre.get(pNames.output("ref_signal_len")).orElseThrow(), progress);
                } finally {
                    denoised.close();
                }
            }
        }
    }

    /**
     * The NFE-1 transformer calls, starting from seeded noise in place of the preprocess's own.
     * Two noise tensors and two step tensors over direct buffers take turns as input and pinned
     * output. Returns the tensor holding the final {@code denoised}; the caller closes it.
     */
    private OnnxTensor denoise(OrtSession.Result pre, int nfe, long seed, int chunkIndex, Progress progress)
            throws OrtException {
        OrtEnvironment env = sessions.env();
        OrtSession transformer = sessions.transformers().get(nfe);
        ModelContract.Checked tNames = sessions.transformerNames(nfe);
        ModelContract.Checked pNames = sessions.preprocessNames();
        boolean fp16 = sessions.floatType() == OnnxJavaType.FLOAT16;
        OnnxJavaType type = fp16 ? OnnxJavaType.FLOAT16 : OnnxJavaType.FLOAT;

        long[] shape = ((OnnxTensor) pre.get(pNames.output("noise")).orElseThrow()).getInfo().getShape();
        int elements = Math.toIntExact(shape[0] * shape[1] * shape[2]);
        float[] noise = new float[elements];
        GaussianNoise.fill(noise, seed, chunkIndex);
        ByteBuffer bufA = ByteBuffer.allocateDirect(elements * (fp16 ? 2 : 4)).order(ByteOrder.nativeOrder());
        ByteBuffer bufB = ByteBuffer.allocateDirect(elements * (fp16 ? 2 : 4)).order(ByteOrder.nativeOrder());
        writeFloats(bufA, noise, fp16);
        IntBuffer stepA = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder()).asIntBuffer();
        IntBuffer stepB = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder()).asIntBuffer();

        OnnxTensor x = OnnxTensor.createTensor(env, bufA, shape, type);
        OnnxTensor xNext = OnnxTensor.createTensor(env, bufB, shape, type);
        try (OnnxTensor tA = OnnxTensor.createTensor(env, stepA, new long[] {1});
                OnnxTensor tB = OnnxTensor.createTensor(env, stepB, new long[] {1})) {
            Map<String, OnnxTensor> in = new HashMap<>();
            for (String name : ModelContract.CONDITIONING) {
                in.put(tNames.input(name), (OnnxTensor) pre.get(pNames.output(name)).orElseThrow());
            }
            Map<String, OnnxValue> pinned = new HashMap<>();
            OnnxTensor t = tA;
            OnnxTensor tNext = tB;
            int step = 0;
            while (step < nfe - 1) {
                progress.checkCancelled();
                in.put(tNames.input("noise"), x);
                in.put(tNames.input(ModelContract.STEP), t);
                pinned.put(tNames.output("denoised"), xNext);
                pinned.put(tNames.output(ModelContract.STEP), tNext);
                timed(transformer, in, pinned).close();
                int next = tNext.getIntBuffer().get(0);
                if (next <= step) {
                    throw new IllegalStateException("The F5 transformer did not advance time_step (" + step + " -> " + next
                            + "); is it the F5-TTS ONNX export?");
                }
                step = next;
                progress.step();
                OnnxTensor swap = x;
                x = xNext;
                xNext = swap;
                swap = t;
                t = tNext;
                tNext = swap;
            }
            return x;
        } catch (OrtException | RuntimeException e) {
            x.close();
            throw e;
        } finally {
            xNext.close();
        }
    }

    private float[] decode(OnnxTensor denoised, OnnxTensor refSignalLen, Progress progress) throws OrtException {
        ModelContract.Checked dNames = sessions.decodeNames();
        Map<String, OnnxTensor> in = new HashMap<>();
        in.put(dNames.input("denoised"), denoised);
        in.put(dNames.input("ref_signal_len"), refSignalLen);
        try (OrtSession.Result dec = timed(sessions.decode(), in, null)) {
            ShortBuffer pcm = ((OnnxTensor) dec.get(dNames.output("output_audio")).orElseThrow()).getShortBuffer();
            float[] samples = new float[pcm.remaining()];
            for (int i = 0; i < samples.length; i++) {
                samples[i] = pcm.get(i) / 32768f;
            }
            progress.step();
            return samples;
        }
    }

    private OrtSession.Result timed(OrtSession session, Map<String, OnnxTensor> in, Map<String, OnnxValue> pinned)
            throws OrtException {
        long start = System.nanoTime();
        try {
            return pinned == null ? session.run(in) : session.run(in, pinned);
        } finally {
            sessionNanos.addAndGet(System.nanoTime() - start);
            sessionRuns.incrementAndGet();
        }
    }

    private static void writeFloats(ByteBuffer target, float[] values, boolean fp16) {
        if (fp16) {
            ShortBuffer s = target.asShortBuffer();
            for (int i = 0; i < values.length; i++) {
                s.put(i, Fp16Conversions.floatToFp16(values[i]));
            }
        } else {
            target.asFloatBuffer().put(0, values);
        }
    }
}
