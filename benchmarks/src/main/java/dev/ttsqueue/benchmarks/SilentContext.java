package dev.ttsqueue.benchmarks;

import dev.ttsqueue.spi.SynthesisContext;

/** A synthesis context that ignores progress and is never cancelled: for calling a backend directly. */
public final class SilentContext implements SynthesisContext {
    public static final SilentContext INSTANCE = new SilentContext();

    private SilentContext() {
    }

    @Override
    public String jobId() {
        return "benchmark";
    }


    @Override
    public void reportProgress(int stepsDone, int stepsTotal) {
    }

    @Override
    public boolean isCancelled() {
        return false;
    }
}
