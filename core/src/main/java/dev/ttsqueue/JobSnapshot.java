package dev.ttsqueue;

import java.time.Instant;

/**
 * A job as it stood when the snapshot was taken. Immutable.
 *
 * @param id job id
 * @param type job type
 * @param status state at snapshot time
 * @param priority higher runs first
 * @param createdAt when it was accepted
 * @param startedAt when a worker took it last; null while queued
 * @param completedAt when it reached a terminal state; null before
 * @param progress 0–100 (measured; 100 when completed)
 * @param estimatedCompletion expected end from measured speed; null when finished or not yet known
 * @param queuePosition 1-based place among queued jobs in run order; 0 when not queued
 * @param error failure message; null unless failed
 * @param result the result; null unless completed
 * @param attempts how many times a worker has taken the job
 * @param request what was asked (its {@link JobRequest#tenant() tenant} included)
 */
public record JobSnapshot(
        String id,
        JobType type,
        JobStatus status,
        int priority,
        Instant createdAt,
        Instant startedAt,
        Instant completedAt,
        double progress,
        Instant estimatedCompletion,
        int queuePosition,
        String error,
        SynthesisResult result,
        int attempts,
        JobRequest request) {

    /** The tenant the job is for; {@link JobRequest#ANONYMOUS_TENANT} when it names none or the request is unknown. */
    public String tenant() {
        return request == null ? JobRequest.ANONYMOUS_TENANT : request.tenant();
    }
}
