package dev.ttsqueue.spi;

import dev.ttsqueue.JobCancelledException;

/**
 * The queue's side of one running synthesis. Methods are cheap and may be called from the thread
 * that runs {@link TtsBackend#synthesize}.
 */
public interface SynthesisContext {

    String jobId();

    /**
     * Reports measured progress: {@code stepsDone} of {@code stepsTotal} backend steps (for F5,
     * one transformer call is one step). Call it after every step; the queue turns it into a
     * percentage and an ETA. {@code stepsTotal} may grow if the backend learns more work.
     */
    void reportProgress(int stepsDone, int stepsTotal);

    /** True once the job was cancelled or timed out; the backend should stop at its next step. */
    boolean isCancelled();

    /** Throws {@link JobCancelledException} when {@link #isCancelled()}; call it between steps. */
    default void throwIfCancelled() {
        if (isCancelled()) {
            throw new JobCancelledException(jobId());
        }
    }
}
