package dev.ttsqueue.testing;

import dev.ttsqueue.audio.AudioClip;
import dev.ttsqueue.spi.BackendInfo;
import dev.ttsqueue.spi.ModelState;
import dev.ttsqueue.spi.SynthesisContext;
import dev.ttsqueue.spi.SynthesisRequest;
import dev.ttsqueue.spi.TtsBackend;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A deterministic backend for tests: {@code steps} steps per job, a sine tone whose pitch follows
 * the seed and whose length follows the text. Tests can hold jobs at a step with a gate, make
 * texts fail, and read the order in which jobs ran. Never the default of anything a user runs.
 */
public final class SyntheticBackend implements TtsBackend {
    /** Text containing this makes the job throw. */
    public static final String FAIL_MARKER = "[fail]";
    /** Text containing this makes the job ignore cancellation and block until released (for timeouts). */
    public static final String HANG_MARKER = "[hang]";

    private final int steps;
    private final int sampleRate;
    private final double secondsPerChar;
    private final boolean clonesVoices;
    private final boolean needsReferenceText;
    private final Set<Integer> nfeSteps;
    private final int maxTextLength;
    private final Semaphore gate;
    private final int maxBatchSize;
    private final List<Integer> batchSizes = new CopyOnWriteArrayList<>();
    private final Semaphore hangRelease = new Semaphore(0);
    private final List<String> order = new CopyOnWriteArrayList<>();
    private final AtomicInteger concurrent = new AtomicInteger();
    private final AtomicInteger maxConcurrent = new AtomicInteger();
    private final Semaphore stepsEntered = new Semaphore(0);
    private volatile boolean closed;
    private volatile ModelState modelState = ModelState.LOADED;

    private SyntheticBackend(Builder b) {
        this.steps = b.steps;
        this.sampleRate = b.sampleRate;
        this.secondsPerChar = b.secondsPerChar;
        this.clonesVoices = b.clonesVoices;
        this.needsReferenceText = b.needsReferenceText;
        this.nfeSteps = b.nfeSteps;
        this.maxTextLength = b.maxTextLength;
        this.gate = b.gated ? new Semaphore(0) : null;
        this.maxBatchSize = b.maxBatchSize;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public BackendInfo info() {
        return new BackendInfo("synthetic", sampleRate, clonesVoices, needsReferenceText, nfeSteps, 32, maxTextLength, maxBatchSize, "CPU");
    }

    @Override
    public AudioClip synthesize(SynthesisRequest request, SynthesisContext ctx) throws Exception {
        int now = concurrent.incrementAndGet();
        maxConcurrent.accumulateAndGet(now, Math::max);
        try {
            order.add(request.text());
            if (request.text().contains(FAIL_MARKER)) {
                throw new IllegalStateException("synthetic failure for '" + request.text() + "'");
            }
            if (request.text().contains(HANG_MARKER)) {
                stepsEntered.release();
                hangRelease.acquire();
                return tone(request, request.seed());
            }
            ctx.reportProgress(0, steps);
            for (int i = 1; i <= steps; i++) {
                stepsEntered.release();
                if (gate != null) {
                    while (!gate.tryAcquire(10, TimeUnit.MILLISECONDS)) {
                        if (ctx.isCancelled()) {
                            break;
                        }
                    }
                }
                ctx.throwIfCancelled();
                ctx.reportProgress(i, steps);
            }
            return tone(request, request.seed());
        } finally {
            concurrent.decrementAndGet();
        }
    }

    @Override
    public List<AudioClip> synthesizeBatch(List<SynthesisRequest> requests, List<SynthesisContext> contexts) throws Exception {
        batchSizes.add(requests.size());
        return TtsBackend.super.synthesizeBatch(requests, contexts);
    }

    /** Sizes of the batches handed to {@link #synthesizeBatch}, in order. */
    public List<Integer> batchSizes() {
        return List.copyOf(batchSizes);
    }

    private AudioClip tone(SynthesisRequest request, long seed) {
        int n = (int) Math.round(request.text().length() * secondsPerChar * sampleRate / request.settings().speed());
        float[] pcm = new float[n];
        double freq = 200 + (seed % 300);
        for (int i = 0; i < n; i++) {
            pcm[i] = (float) (0.5 * Math.sin(2 * Math.PI * freq * i / sampleRate));
        }
        return new AudioClip(pcm, sampleRate);
    }

    /** Lets gated jobs take {@code n} more steps. */
    public void release(int n) {
        if (gate == null) {
            throw new IllegalStateException("not gated");
        }
        gate.release(n);
    }

    /** Lets every gated step through from now on (for teardown). */
    public void releaseAll() {
        if (gate != null) {
            gate.release(1_000_000);
        }
        hangRelease.release(1_000);
    }

    /** Releases jobs blocked on {@link #HANG_MARKER}. */
    public void releaseHung() {
        hangRelease.release();
    }

    /** Waits until jobs have entered {@code n} more steps than earlier calls consumed (permits are cumulative). */
    public boolean awaitStepsEntered(int n, long timeout, TimeUnit unit) throws InterruptedException {
        return stepsEntered.tryAcquire(n, timeout, unit);
    }

    /** Texts in the order the backend started them. */
    public List<String> order() {
        return List.copyOf(order);
    }

    public int maxConcurrent() {
        return maxConcurrent.get();
    }

    /** Loaded parts as set by {@link #reportModelState} (all, by default); nothing once closed. */
    @Override
    public ModelState modelState() {
        return closed ? ModelState.NOT_LOADED : modelState;
    }

    /** What {@link #modelState()} reports from now on, as a backend that lost or is still loading its model would. */
    public void reportModelState(ModelState state) {
        modelState = state;
    }

    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        closed = true;
        releaseAll();
    }

    /** Options for {@link SyntheticBackend}. */
    public static final class Builder {
        private int steps = 4;
        private int sampleRate = 24_000;
        private double secondsPerChar = 0.01;
        private boolean clonesVoices = true;
        private boolean needsReferenceText;
        private Set<Integer> nfeSteps = Set.of();
        private int maxTextLength;
        private boolean gated;
        private int maxBatchSize = 1;

        public Builder steps(int v) {
            steps = v;
            return this;
        }

        public Builder sampleRate(int v) {
            sampleRate = v;
            return this;
        }

        public Builder secondsPerChar(double v) {
            secondsPerChar = v;
            return this;
        }

        public Builder clonesVoices(boolean v) {
            clonesVoices = v;
            return this;
        }

        public Builder needsReferenceText(boolean v) {
            needsReferenceText = v;
            return this;
        }

        public Builder nfeSteps(Integer... v) {
            nfeSteps = Set.of(v);
            return this;
        }

        public Builder maxTextLength(int v) {
            maxTextLength = v;
            return this;
        }

        /** Declares batch capability; batches are recorded and run one request after another. */
        public Builder maxBatchSize(int v) {
            maxBatchSize = v;
            return this;
        }

        /** Each step waits for a permit from {@link SyntheticBackend#release(int)}. */
        public Builder gated() {
            gated = true;
            return this;
        }

        public SyntheticBackend build() {
            return new SyntheticBackend(this);
        }
    }
}
