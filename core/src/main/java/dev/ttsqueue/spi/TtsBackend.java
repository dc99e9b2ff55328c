package dev.ttsqueue.spi;

import dev.ttsqueue.audio.AudioClip;
import java.util.ArrayList;
import java.util.List;

/**
 * A speech model. The queue calls it from its worker threads: with {@code workers(1)} (the
 * default) one call at a time; with {@code workers(n)} up to n calls at once, so a backend bound to
 * one device should be wrapped, one instance per device, in a {@link dev.ttsqueue.BackendPool}.
 * When {@link BackendInfo#maxBatchSize()} &gt; 1 a worker may hand several requests to
 * {@link #synthesizeBatch} in one call.
 *
 * <p>An exception thrown by {@link #synthesize} fails only that job, with the exception's message;
 * the worker goes on with the next job.
 */
public interface TtsBackend extends AutoCloseable {

    BackendInfo info();

    /**
     * Synthesises one request. Report progress through {@code ctx} after each step and stop
     * (throw {@link dev.ttsqueue.JobCancelledException} via {@link SynthesisContext#throwIfCancelled()})
     * when {@link SynthesisContext#isCancelled()} turns true.
     *
     * @return the generated audio at {@link BackendInfo#sampleRate()}
     * @throws Exception any failure; it fails this job only
     */
    AudioClip synthesize(SynthesisRequest request, SynthesisContext ctx) throws Exception;

    /**
     * Synthesises several compatible requests (same settings shape) at once. The default runs
     * them one after another; a backend that batches on the device overrides it and sets
     * {@link BackendInfo#maxBatchSize()}.
     *
     * @return one clip per request, in order
     */
    default List<AudioClip> synthesizeBatch(List<SynthesisRequest> requests, List<SynthesisContext> contexts) throws Exception {
        List<AudioClip> out = new ArrayList<>(requests.size());
        for (int i = 0; i < requests.size(); i++) {
            out.add(synthesize(requests.get(i), contexts.get(i)));
        }
        return out;
    }

    /**
     * Requests that bring this backend to its working speed before the first job: what a fresh
     * process does slowly once (a JIT compiling the synthesis code, a GPU library choosing its
     * kernels, memory pools growing to size). The queue runs them through {@link #synthesize}, in
     * turn and again, for its warm-up time ({@code TtsJobQueue.Builder.warmUp}) before a worker takes
     * its first job, and learns its speed from them, so the first jobs run at full speed and get
     * estimates that hold. Lengths should vary as real texts do: the speed model fits a cost per
     * job and a cost per character. The default, none, suits a backend whose first call is as fast
     * as the later ones.
     */
    default List<SynthesisRequest> warmUpRequests() {
        return List.of();
    }

    /**
     * Whether the model is loaded now. Called from any thread, often (every {@code /health}
     * probe): answer from state already at hand, without touching the device. The default,
     * {@link ModelState#LOADED}, suits a backend that loads everything in its constructor and never
     * unloads; a backend that closes, loads lazily or can lose its device overrides it.
     */
    default ModelState modelState() {
        return ModelState.LOADED;
    }

    /** Releases sessions and device memory. Called once, by the queue's {@code close()}. */
    @Override
    default void close() throws Exception {
    }
}
