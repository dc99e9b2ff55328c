package dev.ttsqueue.store.sqlite.internal;

import dev.ttsqueue.JobStatus;
import dev.ttsqueue.spi.JobRecord;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The writes maintenance makes over many jobs at once: retention purges and lease recovery. */
public final class Sweeps {
    private Sweeps() {
    }

    /** Deletes finished jobs that ended before {@code beforeMillis}; returns them. */
    public static List<JobRecord> purgeFinishedBefore(Database db, long beforeMillis) {
        return db.write("purge finished jobs", c -> {
            PreparedStatement select = c.prepare(Queries.FINISHED_BEFORE);
            select.setLong(1, beforeMillis);
            List<JobRecord> removed = Queries.queryAll(select);
            if (!removed.isEmpty()) {
                PreparedStatement delete = c.prepare(Queries.DELETE_FINISHED_BEFORE);
                delete.setLong(1, beforeMillis);
                delete.executeUpdate();
            }
            return removed;
        });
    }

    /**
     * Finds the held jobs (those whose lease ended before {@code now}, or all of them) and writes
     * what {@link JobRecord#afterLostWorker} decides for each; requeued ones go back into the index.
     */
    public static List<JobRecord> recover(Database db, String what, Instant now, int maxAttempts, boolean onlyExpired) {
        return db.write(what, c -> {
            PreparedStatement select = c.prepare(onlyExpired ? Queries.EXPIRED : Queries.HELD);
            if (onlyExpired) {
                select.setLong(1, now.toEpochMilli());
            }
            List<JobRecord> changed = new ArrayList<>();
            for (JobRecord j : Queries.queryAll(select)) {
                JobRecord next = j.afterLostWorker(now, maxAttempts);
                Queries.update(c, next);
                changed.add(next);
                if (next.status() == JobStatus.QUEUED) {
                    db.mirror().queued(next);
                }
            }
            return changed;
        });
    }
}
