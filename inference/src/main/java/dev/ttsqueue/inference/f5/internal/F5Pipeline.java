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
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.function.Consumer;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs one F5 job on open sessions: per text chunk one preprocess, NFE-1 transformer calls and one
 * decode, with progress after every call and a cancellation check before each.
 *
 * <p>Buffers: the conditioning tensors from the preprocess go straight into every transformer call
 * (no copy in Java); the noise and the step live in two pairs of direct buffers that are bound as
 * input and pinned output in turn, so the loop allocates nothing per step.
 *
 * <p>Pipelining: when the transformer runs on a GPU and decode on the CPU, chunk k's decode runs
 * on this pipeline's own decode thread while the worker goes on with chunk k+1's preprocess and
 * transformer steps, so the two devices work at once. The result is the same as in order: decodes
 * run one at a time, in chunk order, on tensors nothing else touches. All progress reports stay on
 * the worker's thread: a finished decode is counted at the next transformer step, or at the end.
 */
public final class F5Pipeline implements AutoCloseable {
    /** Sample count per mel frame of the export. */
    public static final int HOP = 256;
    private static final AtomicInteger DECODE_THREADS = new AtomicInteger();

    private final F5Sessions sessions;
    private final F5Tokenizer tokenizer;
    private final ExecutorService decoder;
    private final AtomicLong preprocessNanos = new AtomicLong();
    private final AtomicLong transformerNanos = new AtomicLong();
    private final AtomicLong decodeNanos = new AtomicLong();
    private final AtomicLong sessionRuns = new AtomicLong();
    private final AtomicLong transformerCalls = new AtomicLong();
    private final AtomicLong transformerInputBytes = new AtomicLong();
    private final AtomicLong pipelinedDecodes = new AtomicLong();

    /** @param pipelined decode on a thread of its own, overlapping the next chunk's transformer steps */
    public F5Pipeline(F5Sessions sessions, boolean pipelined) {
        this.sessions = sessions;
        this.tokenizer = new F5Tokenizer(sessions.vocabulary());
        this.decoder = pipelined ? Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "ttsq-f5-decode-" + DECODE_THREADS.getAndIncrement());
            t.setDaemon(true);
            return t;
        }) : null;
    }

    /** One chunk's work: its text ids and {@code max_duration}. */
    public record ChunkPlan(String text, int[] textIds, long maxDuration) {
    }

    public F5Tokenizer tokenizer() {
        return tokenizer;
    }

    public boolean pipelined() {
        return decoder != null;
    }

    /** Nanoseconds spent inside {@link OrtSession#run} since start, all three models. */
    public long sessionNanos() {
        return preprocessNanos.get() + transformerNanos.get() + decodeNanos.get();
    }

    public long preprocessNanos() {
        return preprocessNanos.get();
    }

    public long transformerNanos() {
        return transformerNanos.get();
    }

    public long decodeNanos() {
        return decodeNanos.get();
    }

    public long sessionRuns() {
        return sessionRuns.get();
    }

    public long transformerCalls() {
        return transformerCalls.get();
    }

    /**
     * Bytes of every tensor fed to transformer calls since start: on CUDA, what ONNX Runtime copies
     * from host to device, since the Java API binds inputs in host memory.
     */
    public long transformerInputBytes() {
        return transformerInputBytes.get();
    }

    /** Decodes that ran on the decode thread (pipelined) since start. */
    public long pipelinedDecodes() {
        return pipelinedDecodes.get();
    }

    /**
     * Synthesises the planned chunks and returns each chunk's samples (in [-1, 1], before gain and joins).
     *
     * @param progressTotal steps announced to {@code ctx}
     */
    public List<float[]> run(short[] referencePcm, List<ChunkPlan> chunks, int nfe, long seed, SynthesisContext ctx,
            int progressTotal) throws OrtException {
        return run(referencePcm, chunks, nfe, seed, ctx, progressTotal, chunk -> { });
    }

    /**
     * {@link #run(short[], List, int, long, SynthesisContext, int)}, handing each chunk to
     * {@code chunkDone} as soon as it is decoded, in order, on the calling thread.
     */
    public List<float[]> run(short[] referencePcm, List<ChunkPlan> chunks, int nfe, long seed, SynthesisContext ctx,
            int progressTotal, Consumer<float[]> chunkDone) throws OrtException {
        Job job = new Job(ctx, progressTotal, chunkDone);
        try (OnnxTensor audio = OnnxTensor.createTensor(sessions.env(), ShortBuffer.wrap(referencePcm),
                new long[] {1, 1, referencePcm.length})) {
            for (int c = 0; c < chunks.size(); c++) {
                chunk(audio, chunks.get(c), nfe, seed, c, job);
            }
            job.collectAll();
            return job.out;
        } finally {
            job.awaitPending();
        }
    }

    /** One job's progress, finished chunks and decodes still running. Used by the worker thread only. */
    private final class Job {
        private final SynthesisContext ctx;
        private final int total;
        private final List<float[]> out = new ArrayList<>();
        private final ArrayDeque<Future<float[]>> pending = new ArrayDeque<>();
        private final Consumer<float[]> chunkDone;
        private int done;

        Job(SynthesisContext ctx, int total, Consumer<float[]> chunkDone) {
            this.ctx = ctx;
            this.total = total;
            this.chunkDone = chunkDone;
        }

        void step() {
            ctx.reportProgress(++done, total);
        }

        void checkCancelled() {
            ctx.throwIfCancelled();
        }

        /** Counts decodes that finished meanwhile (in chunk order: they run one at a time). */
        void collectFinished() throws OrtException {
            while (!pending.isEmpty() && pending.peekFirst().isDone()) {
                collect(pending.pollFirst());
            }
        }

        void collectAll() throws OrtException {
            while (!pending.isEmpty()) {
                collect(pending.pollFirst());
            }
        }

        private void collect(Future<float[]> f) throws OrtException {
            try {
                float[] chunk = f.get();
                out.add(chunk);
                chunkDone.accept(chunk);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof OrtException o) {
                    throw o;
                }
                if (e.getCause() instanceof RuntimeException r) {
                    throw r;
                }
                throw new IllegalStateException("F5 decode failed", e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for the F5 decode", e);
            }
            step();
        }

        /** After a failure or cancellation: lets running decodes finish, so their tensors are closed. */
        void awaitPending() {
            boolean interrupted = false;
            for (Future<float[]> f : pending) {
                while (true) {
                    try {
                        f.get();
                        break;
                    } catch (ExecutionException e) {
                        break;
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
            }
            pending.clear();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Preprocess, transformer loop and decode (or its hand-off) for one chunk. */
    private void chunk(OnnxTensor audio, ChunkPlan plan, int nfe, long seed, int chunkIndex, Job job) throws OrtException {
        OrtEnvironment env = sessions.env();
        ModelContract.Checked pNames = sessions.preprocessNames();
        job.checkCancelled();
        OrtSession.Result pre;
        try (OnnxTensor ids = OnnxTensor.createTensor(env, IntBuffer.wrap(plan.textIds()), new long[] {1, plan.textIds().length});
                OnnxTensor maxDuration = OnnxTensor.createTensor(env, LongBuffer.wrap(new long[] {plan.maxDuration()}), new long[] {1})) {
            Map<String, OnnxTensor> preIn = new HashMap<>();
            preIn.put(pNames.input("audio"), audio);
            preIn.put(pNames.input("text_ids"), ids);
            preIn.put(pNames.input("max_duration"), maxDuration);
            pre = timed(sessions.preprocess(), preIn, null, preprocessNanos);
        }
        OnnxTensor denoised = null;
        boolean handedOff = false;
        try {
            job.step();
            denoised = denoise(pre, nfe, seed, chunkIndex, job);
            job.checkCancelled();
            OnnxTensor refSignalLen = (OnnxTensor) pre.get(pNames.output("ref_signal_len")).orElseThrow();
            if (decoder == null) {
                float[] chunk = decode(denoised, refSignalLen);
                job.out.add(chunk);
                job.chunkDone.accept(chunk);
                job.step();
                return;
            }
            OrtSession.Result ownedPre = pre;
            OnnxTensor ownedDenoised = denoised;
            job.pending.add(decoder.submit(() -> {
                try {
                    pipelinedDecodes.incrementAndGet();
                    return decode(ownedDenoised, refSignalLen);
                } finally {
                    ownedDenoised.close();
                    ownedPre.close();
                }
            }));
            handedOff = true;
        } finally {
            if (!handedOff) {
                if (denoised != null) {
                    denoised.close();
                }
                pre.close();
            }
        }
    }

    /**
     * The NFE-1 transformer calls, starting from seeded noise in place of the preprocess's own.
     * Two noise tensors and two step tensors over direct buffers take turns as input and pinned
     * output. Returns the tensor holding the final {@code denoised}; the caller closes it.
     */
    private OnnxTensor denoise(OrtSession.Result pre, int nfe, long seed, int chunkIndex, Job job)
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
            long conditioningBytes = 0;
            for (String name : ModelContract.CONDITIONING) {
                OnnxTensor t = (OnnxTensor) pre.get(pNames.output(name)).orElseThrow();
                in.put(tNames.input(name), t);
                conditioningBytes += t.getByteBuffer().capacity();
            }
            long bytesPerCall = conditioningBytes + (long) elements * (fp16 ? 2 : 4) + 4;
            Map<String, OnnxValue> pinned = new HashMap<>();
            OnnxTensor t = tA;
            OnnxTensor tNext = tB;
            int step = 0;
            while (step < nfe - 1) {
                job.checkCancelled();
                in.put(tNames.input("noise"), x);
                in.put(tNames.input(ModelContract.STEP), t);
                pinned.put(tNames.output("denoised"), xNext);
                pinned.put(tNames.output(ModelContract.STEP), tNext);
                timed(transformer, in, pinned, transformerNanos).close();
                transformerCalls.incrementAndGet();
                transformerInputBytes.addAndGet(bytesPerCall);
                int next = tNext.getIntBuffer().get(0);
                if (next <= step) {
                    throw new IllegalStateException("The F5 transformer did not advance time_step (" + step + " -> " + next
                            + "); is it the F5-TTS ONNX export?");
                }
                step = next;
                job.step();
                job.collectFinished();
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

    private float[] decode(OnnxTensor denoised, OnnxTensor refSignalLen) throws OrtException {
        ModelContract.Checked dNames = sessions.decodeNames();
        Map<String, OnnxTensor> in = new HashMap<>();
        in.put(dNames.input("denoised"), denoised);
        in.put(dNames.input("ref_signal_len"), refSignalLen);
        try (OrtSession.Result dec = timed(sessions.decode(), in, null, decodeNanos)) {
            ShortBuffer pcm = ((OnnxTensor) dec.get(dNames.output("output_audio")).orElseThrow()).getShortBuffer();
            float[] samples = new float[pcm.remaining()];
            for (int i = 0; i < samples.length; i++) {
                samples[i] = pcm.get(i) / 32768f;
            }
            return samples;
        }
    }

    private OrtSession.Result timed(OrtSession session, Map<String, OnnxTensor> in, Map<String, OnnxValue> pinned,
            AtomicLong nanos) throws OrtException {
        long start = System.nanoTime();
        try {
            return pinned == null ? session.run(in) : session.run(in, pinned);
        } finally {
            nanos.addAndGet(System.nanoTime() - start);
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

    /** Stops the decode thread (after the decode in progress, if any). */
    @Override
    public void close() {
        if (decoder != null) {
            decoder.shutdown();
        }
    }
}
