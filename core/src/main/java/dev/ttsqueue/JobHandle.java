package dev.ttsqueue;

import dev.ttsqueue.audio.AudioClip;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
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

    /**
     * The job's audio while it is made: pieces in order, each final (cross-fades between chunks
     * applied), whose concatenation is the job's output; the publisher completes when the job
     * completes, and fails with {@link JobFailedException}, {@link JobCancelledException} or
     * {@link QueueClosedException} when it does not. Every subscriber gets every piece from the
     * first, however late it subscribes; a job that already completed gives its output as one
     * piece. The whole output comes as one piece at the end when the backend hands out no pieces,
     * when the job removes silence (that runs on the whole output), or when the job runs in
     * another process. Subscribers are served on the queue's {@code ttsq-audio} threads, never on
     * a worker, as fast as they request.
     *
     * @throws JobNotFoundException when the job is not known (any more)
     */
    Flow.Publisher<AudioClip> audio();

    /** Same as {@code queue.cancel(id())}. */
    boolean cancel();
}
