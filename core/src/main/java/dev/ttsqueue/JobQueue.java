package dev.ttsqueue;

import dev.ttsqueue.audio.AudioClip;
import java.io.IOException;
import java.time.Duration;
import java.util.List;

/**
 * The operations a caller uses on a queue of text-to-speech jobs, whether the queue runs in this
 * process ({@link TtsJobQueue}) or behind the REST server ({@code TtsQueueClient} of the
 * {@code ttsqueue-client} artifact). Code written against this interface runs against either:
 *
 * <pre>{@code
 * try (JobQueue queue = remote ? TtsQueueClient.create(URI.create("http://gpu-host:8000"))
 *                              : TtsJobQueue.builder().backend(backend).build()) {
 *     String ref = queue.uploadReference(WavCodec.read(Path.of("ref.wav")));
 *     JobHandle job = queue.submit(JobRequest.voiceCloning(ref, "Hello there").refText("Transcript."));
 *     SynthesisResult r = job.result().join();
 *     AudioClip audio = queue.readOutput(r.outputFileId());
 * }
 * }</pre>
 *
 * <p>Both implementations throw the same exception types for the same faults (all rooted at
 * {@link TtsQueueException}); a remote queue adds its own subclasses for faults only a network
 * has (an unreachable server, a refused API key). Listeners and result futures run on one event
 * thread of the implementation, never on the caller's: see the implementation for its name. All
 * methods are thread-safe. A null argument where an id or a request is expected throws
 * {@link NullPointerException}.
 */
public interface JobQueue extends AutoCloseable {

    /**
     * Validates and queues a job.
     *
     * @return a handle whose {@link JobHandle#accepted()} is the job as it was queued
     * @throws InvalidRequestException for bad text or settings, an NFE step the backend lacks, a
     *     missing reference transcript the backend needs
     * @throws ReferenceNotFoundException when the audio file or voice does not exist or has expired
     * @throws QueueFullException when the queue already holds as many jobs as it accepts
     * @throws QueueClosedException after {@link #close()}, or while the queue shuts down
     */
    JobHandle submit(JobRequest request);

    /**
     * The job as it stands now.
     *
     * @throws JobNotFoundException for an unknown id (never submitted, or cleaned up)
     */
    JobSnapshot status(String jobId);

    /**
     * The result of a completed job; null when the job completed but its result is no longer kept.
     *
     * @throws JobNotFoundException for an unknown id
     * @throws JobNotCompletedException when the job has not (yet) completed
     */
    SynthesisResult result(String jobId);

    /**
     * A handle for a job this queue knows, whoever submitted it (also before a restart).
     *
     * @throws JobNotFoundException for an unknown id
     */
    JobHandle handle(String jobId);

    /** Counts per state and the running jobs, as of one moment. */
    QueueStatus queueStatus();

    /**
     * Cancels a job: a queued job never starts; a running job stops at its next step.
     *
     * @return true when the job was queued or running; false when it had already finished
     * @throws JobNotFoundException for an unknown id
     */
    boolean cancel(String jobId);

    /**
     * Deletes finished jobs (completed, failed, cancelled) older than {@code maxAge}, with their
     * output audio.
     *
     * @return how many jobs were deleted
     */
    int cleanup(Duration maxAge);

    /**
     * Jobs newest first: the first page of {@link #list(JobStatus, int, String)}.
     *
     * @param status only jobs in this state; null for all
     * @param limit at most this many (1–1,000)
     * @throws InvalidRequestException for a limit out of range
     */
    List<JobSnapshot> list(JobStatus status, int limit);

    /**
     * One page of jobs, newest first; jobs submitted after the first page was read do not appear
     * in later pages.
     *
     * @param status only jobs in this state; null for all
     * @param limit at most this many (1–1,000)
     * @param cursor null for the first page; then the previous page's {@link JobPage#nextCursor()}
     * @throws InvalidRequestException for a limit out of range or a cursor no listing gave
     */
    JobPage list(JobStatus status, int limit, String cursor);

    /**
     * Listens to one job's events; nothing more arrives after its terminal event. For a job that
     * already finished, the listener gets its terminal event once; for an unknown id, nothing.
     * Listeners run on the implementation's event thread; one that throws is logged and skipped.
     *
     * @return closing it removes the listener
     */
    Subscription subscribe(String jobId, JobListener listener);

    /**
     * Stores a reference clip for {@link JobRequest#ttsGenerate} and {@link JobRequest#voiceCloning}.
     *
     * @return the id to put in the request; it expires after the queue's upload time to live
     * @throws IOException when it cannot be stored
     */
    String uploadReference(AudioClip clip) throws IOException;

    /**
     * Decodes a job's output audio ({@link SynthesisResult#outputFileId()}).
     *
     * @throws ReferenceNotFoundException when no such output exists (or it has expired)
     * @throws IOException when it cannot be read
     */
    AudioClip readOutput(String outputFileId) throws IOException;

    /** True until {@link #close()} is called. */
    boolean isOpen();

    /**
     * Releases what this object holds. For an embedded queue that is the queue itself (see
     * {@link TtsJobQueue#close()}); for a remote one, the connections: the jobs go on on the server.
     * Idempotent.
     */
    @Override
    void close();
}
