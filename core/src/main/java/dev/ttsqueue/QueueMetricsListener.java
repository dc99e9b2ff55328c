package dev.ttsqueue;

import java.time.Duration;

/**
 * Told of each job's milestones as they happen, for metrics. It receives a few numbers, never a
 * {@link JobSnapshot}, so a queue with only such listeners builds no snapshot for anybody.
 *
 * <p>Called synchronously on the thread where the milestone happens: the submitting thread, a
 * worker (start, end), the maintenance thread (timeouts, recovery) or the thread that cancels.
 * Implementations must be quick and must not block: count, or record into a histogram. Anything
 * slower belongs in a {@link JobListener}, which runs on the event thread. What a metrics listener
 * throws is logged and ignored.
 *
 * <p>Workers are numbered {@code 0} to {@link TtsJobQueue#workers()}{@code  - 1}; each tells
 * {@link #workerBusy} and {@link #workerIdle} in turn, on its own thread, so a listener can measure
 * how much of its time each device spends on jobs. A listener added while a worker is busy hears
 * that worker's {@code workerIdle} first.
 */
public interface QueueMetricsListener {

    /** A job was accepted. */
    default void jobSubmitted(JobType type, int priority) {
    }

    /** A job was refused because the queue was full. */
    default void jobRejected(JobType type) {
    }

    /**
     * A worker took a job.
     *
     * @param queueWait from its submission to now (a job run again after a lost worker counts from its submission)
     */
    default void jobStarted(JobType type, Duration queueWait) {
    }

    /**
     * A job reached a terminal state.
     *
     * @param status {@code COMPLETED}, {@code FAILED} or {@code CANCELLED}
     * @param runTime from its last start to its end; null when it never started
     * @param audioSeconds seconds of audio it produced; 0 unless completed
     */
    default void jobFinished(JobType type, JobStatus status, Duration runTime, double audioSeconds) {
    }

    /**
     * A job reached a terminal state, with its id, queue wait and worker: for listeners that log or
     * trace each job rather than count. Called where {@link #jobFinished(JobType, JobStatus, Duration, double)}
     * would be, instead of it; the default calls that one.
     */
    default void jobFinished(FinishedJob job) {
        jobFinished(job.type(), job.status(), job.runTime(), job.audioSeconds());
    }

    /**
     * A worker took work (one job, or a batch of them for a batching backend) and holds it until
     * {@link #workerIdle}: claiming it, resolving references, the backend call, post-processing
     * and storing the output all count as busy.
     *
     * @param worker the worker's number, {@code 0} to {@code workers - 1}
     */
    default void workerBusy(int worker) {
    }

    /**
     * A worker is done with what it took and looks for more.
     *
     * @param worker the worker's number, {@code 0} to {@code workers - 1}
     */
    default void workerIdle(int worker) {
    }
}
