package dev.ttsqueue.store.sqlite.internal;

import dev.ttsqueue.spi.JobRecord;
import dev.ttsqueue.spi.QueuePlace;
import dev.ttsqueue.spi.VirtualTime;
import dev.ttsqueue.store.FairShareTags;
import dev.ttsqueue.store.RunOrderIndex;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The queued jobs of the table in run order, in memory, so that a place in the queue costs
 * O(log n) instead of a count over the queue, and a claim finds the next job without an index on
 * disk; beside them, the fair-share clocks ({@link FairShareTags}) that stamp the virtual start of
 * each new job, so an enqueue reads no other job either. The clocks' own rows (tables
 * {@code virtual_time} and {@code tenant_finish}) are written by each claim and read here on a rebuild. Built from the table when the store opens; changed by each write transaction once it
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
    /** Guarded by {@link #index}'s monitor, like the index. */
    private final FairShareTags tags = new FairShareTags();
    /**
     * The largest virtual finish per tenant and priority of the jobs the transaction in progress
     * queued, which {@link #tags} learns only at commit: a group of submissions stamps each job
     * after the ones before it. Under the write lock.
     */
    private final Map<String, Long> pendingFinishes = new HashMap<>();
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
        FairShareTags freshTags = new FairShareTags();
        try (ResultSet rs = writer.prepare(Queries.VIRTUAL_TIMES).executeQuery()) {
            while (rs.next()) {
                freshTags.restoreVirtualTime(rs.getInt(1), rs.getLong(2));
            }
        }
        try (ResultSet rs = writer.prepare(Queries.TENANT_FINISHES).executeQuery()) {
            while (rs.next()) {
                freshTags.restoreClaimedFinish(rs.getInt(1), rs.getString(2), rs.getLong(3));
            }
        }
        try (ResultSet rs = writer.prepare(Queries.QUEUED_KEYS).executeQuery()) {
            while (rs.next()) {
                int priority = rs.getInt(2);
                long virtualStart = rs.getLong(6);
                fresh.add(priority, virtualStart, rs.getLong(3), rs.getLong(4), rs.getString(1));
                freshTags.queued(priority, rs.getString(5), virtualStart + VirtualTime.cost(rs.getInt(7)));
            }
        }
        synchronized (index) {
            index.replaceWith(fresh);
            tags.replaceWith(freshTags);
        }
        dataVersion = version;
        stale = false;
    }

    /** A job the transaction in progress queued (a submit, a recovery). Caller holds the write lock. */
    public void queued(JobRecord job) {
        pendingFinishes.merge(laneKey(job.priority(), job.tenant()), job.virtualFinish(), Math::max);
        pending.add(() -> {
            index.add(job.priority(), job.virtualStart(), job.sequence(), job.work(), job.id());
            tags.queued(job);
        });
    }

    /** A queued job the transaction in progress cancelled. Caller holds the write lock. */
    public void leftQueue(JobRecord job) {
        pending.add(() -> {
            index.remove(job.priority(), job.virtualStart(), job.sequence());
            tags.leftQueue(job);
        });
    }

    /**
     * A queued job the transaction in progress claimed (and whose claim it recorded with
     * {@link Queries#recordClaim}). Caller holds the write lock.
     */
    public void claimed(JobRecord job) {
        pending.add(() -> {
            index.remove(job.priority(), job.virtualStart(), job.sequence());
            tags.claimed(job);
        });
    }

    /**
     * The virtual start of a job of {@code tenant} queued at {@code priority} by the transaction in
     * progress, counting the jobs it queued before. Caller holds the write lock, inside a
     * transaction (which began with the mirror up to date).
     */
    public long startFor(int priority, String tenant) {
        long start;
        synchronized (index) {
            start = tags.startFor(priority, tenant);
        }
        Long queuedBefore = pendingFinishes.get(laneKey(priority, tenant));
        return queuedBefore == null ? start : Math.max(start, queuedBefore);
    }

    private static String laneKey(int priority, String tenant) {
        return priority + "|" + tenant;
    }

    /** A transaction begins: nothing of an earlier one may linger. */
    public void began() {
        pending.clear();
        pendingFinishes.clear();
    }

    /** The transaction committed: its changes apply, in order. */
    public void committed() {
        synchronized (index) {
            for (Runnable change : pending) {
                change.run();
            }
        }
        pending.clear();
        pendingFinishes.clear();
    }

    /** The transaction was rolled back: its changes never happened. */
    public void rolledBack() {
        pending.clear();
        pendingFinishes.clear();
    }

    /** The COMMIT failed: it may or may not have reached the file. */
    public void commitFailed() {
        pending.clear();
        pendingFinishes.clear();
        stale = true;
    }

    /** Where the job with this key stands; {@link QueuePlace#NOT_QUEUED} when it is not queued. */
    public QueuePlace place(int priority, long virtualStart, long sequence) {
        synchronized (index) {
            return index.place(priority, virtualStart, sequence);
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
