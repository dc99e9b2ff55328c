package dev.ttsqueue;

import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The caller's grip on one submitted job.
 *
 * <p>{@link #result()} completes normally with the {@link SynthesisResult}, or exceptionally with
 * {@link JobFailedException}, {@link JobCancelledException} or {@link QueueClosedException}.
 * Completion, like listeners, happens on the queue's event thread: keep dependent stages short or
 * move them with the {@code ...Async} variants.
 */
public interface JobHandle {

    String id();

    CompletableFuture<SynthesisResult> result();

    /**
     * Adds a progress listener for this job. Runs on the event thread; exceptions it throws are
     * logged and ignored. Reports made before registration are not replayed (a worker may take the
     * job at once); to see every report, register a queue-wide listener before submitting.
     * Registering after the job finished does nothing.
     *
     * @return this handle, for chaining
     */
    JobHandle onProgress(Consumer<JobProgress> listener);

    /** The job as it stands now. */
    JobSnapshot snapshot();

    /**
     * The job as it stood when the queue accepted it: queued, with its place in the queue and its
     * estimated completion at that moment. Costs nothing: {@link TtsJobQueue#submit} worked it out.
     * For a handle from {@link TtsJobQueue#handle}, the job as it stood the first time this is asked.
     */
    JobSnapshot accepted();

    /** Same as {@code queue.cancel(id())}. */
    boolean cancel();
}
