package dev.ttsqueue.spi;

import java.time.Instant;
import java.util.Objects;

/**
 * A change to a job made by another process sharing the store, as a {@link JobChangeFeed}
 * reports it. It says what happened, not the whole job: a listener that needs the job reads it
 * from the store.
 *
 * @param kind what happened
 * @param jobId the job; null only for {@link Kind#WORK_AVAILABLE}
 * @param fencingToken the claim the change belongs to ({@link Kind#STARTED}, {@link Kind#PROGRESS},
 *     {@link Kind#CANCEL_REQUESTED}); 0 when the change belongs to no claim
 * @param stepsDone for {@link Kind#PROGRESS}: steps done; otherwise 0
 * @param stepsTotal for {@link Kind#PROGRESS}: steps announced; otherwise 0
 * @param progress for {@link Kind#PROGRESS}: 0–100; otherwise 0
 * @param estimatedCompletion for {@link Kind#PROGRESS}: the worker's estimate, or null
 */
public record JobChange(Kind kind, String jobId, long fencingToken, int stepsDone, int stepsTotal, double progress,
        Instant estimatedCompletion) {

    /** What happened to the job. */
    public enum Kind {
        /** Back in the queue after its worker was lost. */
        QUEUED,
        /** A worker claimed it. */
        STARTED,
        /** Its worker reported progress. */
        PROGRESS,
        /** Someone asked to cancel it while it runs: the worker holding {@code fencingToken} should stop. */
        CANCEL_REQUESTED,
        COMPLETED,
        FAILED,
        CANCELLED,
        /** Jobs wait in the queue that an idle worker could take; names no job. */
        WORK_AVAILABLE;

        /** True for the three states a job never leaves. */
        public boolean isTerminal() {
            return this == COMPLETED || this == FAILED || this == CANCELLED;
        }
    }

    public JobChange {
        Objects.requireNonNull(kind, "kind");
        if (kind != Kind.WORK_AVAILABLE) {
            Objects.requireNonNull(jobId, "jobId");
        }
    }

    /** A change that carries no progress figures. */
    public static JobChange of(Kind kind, String jobId, long fencingToken) {
        return new JobChange(kind, jobId, fencingToken, 0, 0, 0.0, null);
    }
}
