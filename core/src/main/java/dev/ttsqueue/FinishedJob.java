package dev.ttsqueue;

import java.time.Duration;

/**
 * One job's end as a {@link QueueMetricsListener} hears of it: what it was, how it ended, and
 * where its time went. Built only when metrics listeners are registered.
 *
 * @param id the job's id
 * @param type what it asked for
 * @param status {@code COMPLETED}, {@code FAILED} or {@code CANCELLED}
 * @param queueWait from its submission to its last start; null when it never started
 * @param runTime from its last start to its end; null when it never started
 * @param audioSeconds seconds of audio it produced; 0 unless completed
 * @param worker the name of the worker thread it ended on ({@code ttsq-worker-0}); null when it
 *     ended elsewhere (cancelled while queued, failed by the maintenance thread)
 */
public record FinishedJob(String id, JobType type, JobStatus status, Duration queueWait, Duration runTime, double audioSeconds,
        String worker) {

    /** Seconds of audio per second of run time (above 1: faster than real time); 0 when unknown. */
    public double realTimeFactor() {
        if (runTime == null || runTime.isZero() || audioSeconds <= 0) {
            return 0;
        }
        return audioSeconds / (runTime.toNanos() / 1e9);
    }
}
