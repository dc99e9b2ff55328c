package dev.ttsqueue.store.sqlite.internal;

import dev.ttsqueue.JobStatus;
import dev.ttsqueue.spi.CancelOutcome;
import dev.ttsqueue.spi.JobRecord;
import java.time.Instant;
import java.util.Optional;

/** Single-job writes that decide from the job's current row: cancel and release. */
public final class JobWrites {
    private JobWrites() {
    }

    /** Gives a job held under {@code fencingToken} back to the queue after a shutdown ({@link JobRecord#afterShutdown}). */
    public static Optional<JobRecord> release(Database db, String jobId, long fencingToken, Instant t) {
        return db.write("give " + jobId + " back to the queue", c -> {
            JobRecord current = Queries.byId(c, jobId);
            if (current == null || current.status() != JobStatus.PROCESSING || current.fencingToken() != fencingToken) {
                return Optional.empty();
            }
            JobRecord next = current.afterShutdown(t);
            Queries.update(c, next);
            if (next.status() == JobStatus.QUEUED) {
                db.mirror().queued(next);
            }
            return Optional.of(next);
        });
    }

    /** Cancels a queued job at once; marks a running one for its worker to stop. */
    public static CancelOutcome requestCancel(Database db, String jobId, Instant t) {
        return db.write("cancel " + jobId, c -> {
            JobRecord current = Queries.byId(c, jobId);
            if (current == null) {
                return CancelOutcome.NOT_FOUND;
            }
            switch (current.status()) {
                case QUEUED -> {
                    Queries.update(c, current.cancelled(t));
                    db.mirror().leftQueue(current);
                    return CancelOutcome.CANCELLED;
                }
                case PROCESSING -> {
                    if (!current.cancelRequested()) {
                        Queries.update(c, current.withCancelRequested());
                    }
                    return CancelOutcome.CANCEL_REQUESTED;
                }
                default -> {
                    return CancelOutcome.ALREADY_FINISHED;
                }
            }
        });
    }
}
