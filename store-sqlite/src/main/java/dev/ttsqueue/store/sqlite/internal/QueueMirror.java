package dev.ttsqueue.store.sqlite.internal;

import dev.ttsqueue.spi.JobRecord;
import dev.ttsqueue.spi.QueuePlace;
import dev.ttsqueue.store.RunOrderIndex;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The queued jobs of the table in run order, in memory, so that a place in the queue costs
 * O(log n) instead of a count over the queue, and a claim finds the next job without an index on
 * disk. Built from the table when the store opens; changed by each write transaction once it
 * committed; rebuilt when it may be wrong (a commit whose outcome is unknown, or, on a shared
 * file, a commit by another connection).
 *
 * <p>Changes are queued with {@link #onCommit} and applied by {@link #committed()}: both under the
 * store's write lock, so they apply in commit order. Readers ({@link #place}, {@link #first})
 * take only the index's own monitor and never wait for a commit.
 */
public final class QueueMirror {
    private final boolean shared;
    private final RunOrderIndex<String> index = new RunOrderIndex<>();
    /** Changes of the transaction in progress; under the write lock. */
    private final List<Runnable> pending = new ArrayList<>();
    /** The index may disagree with the table: rebuild before use. */
    private volatile boolean stale = true;
    /** The writer's {@code PRAGMA data_version} when the index was last known right; under the write lock. */
    private long dataVersion = Long.MIN_VALUE;

    /** @param shared whether other connections may write to the file */
    public QueueMirror(boolean shared) {
        this.shared = shared;
    }

    /** True when {@link #refresh} must run (under the write lock) before the index can be trusted. */
    public boolean needsRefresh() {
        return shared || stale;
    }

    /** Marks the index as possibly wrong; the next {@link #refresh} rebuilds it. */
    public void markStale() {
        stale = true;
    }

    /**
     * Rebuilds the index from the table when it may be wrong: after {@link #markStale}, or, on a
     * shared file, when another connection wrote since the index was last right. The writer's
     * {@code PRAGMA data_version} changes exactly when another connection commits (its own commits
     * leave it alone). Caller holds the write lock; reading inside a write transaction sees what
     * nobody can change until it ends.
     */
    public void refresh(CachedConnection writer) throws SQLException {
        long version = -1;
        if (shared) {
            try (ResultSet rs = writer.prepare("PRAGMA data_version").executeQuery()) {
                version = rs.next() ? rs.getLong(1) : -1;
            }
            if (version != dataVersion) {
                stale = true;
            }
        }
        if (!stale) {
            return;
        }
        RunOrderIndex<String> fresh = new RunOrderIndex<>();
        try (ResultSet rs = writer.prepare(Queries.QUEUED_KEYS).executeQuery()) {
            while (rs.next()) {
                fresh.add(rs.getInt(2), rs.getLong(3), rs.getLong(4), rs.getString(1));
            }
        }
        synchronized (index) {
            index.replaceWith(fresh);
        }
        dataVersion = version;
        stale = false;
    }

    /** A job the transaction in progress queued (a submit, a recovery). Caller holds the write lock. */
    public void queued(JobRecord job) {
        pending.add(() -> index.add(job.priority(), job.sequence(), job.work(), job.id()));
    }

    /** A job the transaction in progress took out of the queue (a claim, a cancel). Caller holds the write lock. */
    public void leftQueue(JobRecord job) {
        pending.add(() -> index.remove(job.priority(), job.sequence()));
    }

    /** A transaction begins: nothing of an earlier one may linger. */
    public void began() {
        pending.clear();
    }

    /** The transaction committed: its changes apply, in order. */
    public void committed() {
        synchronized (index) {
            for (Runnable change : pending) {
                change.run();
            }
        }
        pending.clear();
    }

    /** The transaction was rolled back: its changes never happened. */
    public void rolledBack() {
        pending.clear();
    }

    /** The COMMIT failed: it may or may not have reached the file. */
    public void commitFailed() {
        pending.clear();
        stale = true;
    }

    /** Where the job with this key stands; {@link QueuePlace#NOT_QUEUED} when it is not queued. */
    public QueuePlace place(int priority, long sequence) {
        synchronized (index) {
            return index.place(priority, sequence);
        }
    }

    /** The id of the job that runs next, or null. */
    public String first() {
        synchronized (index) {
            return index.first();
        }
    }

    public boolean isEmpty() {
        synchronized (index) {
            return index.isEmpty();
        }
    }
}
