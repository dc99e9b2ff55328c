package dev.ttsqueue.store.sqlite.internal;

import dev.ttsqueue.JobStatus;
import dev.ttsqueue.spi.JobRecord;
import dev.ttsqueue.store.sqlite.SqliteStoreException;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * Durable submits that share commits. A submitter that finds the write lock free leads: it commits
 * its own job and every job queued up behind the last commit, in one transaction and one sync. A
 * submitter that finds the lock taken parks until a group that took its job has committed, or until
 * it is woken to lead the next group. Each returns only once its own job is on disk (or refused).
 *
 * <p>Followers wait here, not in the lock's queue: otherwise every member of a committed group
 * would take the lock in turn just to learn that it was done, and 32 concurrent submitters ran
 * slower than one.
 */
public final class GroupCommit {
    /**
     * How long a follower sleeps before it looks again on its own: only a guard against a lost
     * wake-up, since every follower is woken when its group commits or when it heads the queue as
     * the write lock is released. It was 1 ms, and with 32 submitters waiting out a 3–5 ms sync each
     * woke several times for nothing: a seventh of a durable submit's CPU went to those wake-ups.
     */
    private static final long FOLLOWER_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final Database db;
    private final Queue<Pending> pending = new ConcurrentLinkedQueue<>();

    public GroupCommit(Database db) {
        this.db = db;
        db.afterWriteUnlock(this::wakeNext);
    }

    /**
     * One submission waiting for a commit. {@code result} and {@code failure} are written by the
     * committing thread before it sets {@code done}, whose volatile write publishes them.
     */
    public static final class Pending {
        final JobRecord job;
        final int maxQueued;
        final Thread waiter;
        volatile boolean done;
        Optional<JobRecord> result;
        RuntimeException failure;

        Pending(JobRecord job, int maxQueued, Thread waiter) {
            this.job = job;
            this.maxQueued = maxQueued;
            this.waiter = waiter;
        }

        public boolean done() {
            return done;
        }

        /** The stored record, empty when the queue was full; null when the job failed. */
        public Optional<JobRecord> result() {
            return result;
        }

        /** Why the job was not stored, or null. */
        public RuntimeException failure() {
            return failure;
        }
    }

    /**
     * Stores {@code job} (cut to milliseconds already), sharing a commit with whoever submits at
     * the same time; returns once it is on disk.
     */
    public Optional<JobRecord> enqueue(JobRecord job, int maxQueued) {
        Pending mine = new Pending(job, maxQueued, Thread.currentThread());
        pending.add(mine);
        boolean interrupted = false;
        try {
            while (!mine.done) {
                if (db.tryLockWrites()) {
                    try {
                        if (!mine.done) {
                            if (db.isClosed()) {
                                pending.remove(mine);
                                db.ensureOpen();
                            }
                            commitWaiting();
                        }
                    } finally {
                        db.unlockWrites();
                    }
                } else {
                    LockSupport.parkNanos(this, FOLLOWER_PARK_NANOS);
                    if (Thread.interrupted()) {
                        interrupted = true; // the job may be committing: finish waiting, then restore the flag
                    }
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        if (mine.failure != null) {
            throw mine.failure;
        }
        return mine.result;
    }

    /**
     * Commits {@code jobs} as one group, exactly as submitters that queued up together would be.
     * Lets tests reach the group path without depending on thread timing.
     */
    public List<Pending> enqueueAsGroup(List<JobRecord> jobs, int maxQueued) {
        List<Pending> group = jobs.stream().map(j -> new Pending(j, maxQueued, Thread.currentThread())).toList();
        db.lockWrites();
        try {
            db.ensureOpen();
            commitGroup(group);
        } finally {
            db.unlockWrites();
        }
        return group;
    }

    /** Wakes the first submitter still waiting, if any, to lead the next group. */
    private void wakeNext() {
        Pending next = pending.peek();
        if (next != null) {
            LockSupport.unpark(next.waiter);
        }
    }

    /** After the store closed: every submitter still waiting learns at once that its job was not stored. */
    public void wakeAll() {
        for (Pending waiting : pending) {
            LockSupport.unpark(waiting.waiter);
        }
    }

    /** Commits every waiting submission in one transaction. Caller holds the write lock. */
    private void commitWaiting() {
        List<Pending> batch = new ArrayList<>();
        Pending p;
        while ((p = pending.poll()) != null) {
            batch.add(p);
        }
        commitGroup(batch);
    }

    private void commitGroup(List<Pending> batch) {
        try {
            db.begin();
            boolean committed = false;
            try {
                insertGroup(batch);
                db.commit();
                committed = true;
            } finally {
                if (!committed) {
                    db.rollback();
                }
            }
        } catch (SQLException | RuntimeException | Error e) {
            String what = batch.size() == 1 ? "enqueue " + batch.get(0).job.id() : "enqueue " + batch.size() + " jobs";
            RuntimeException failure = e instanceof SQLException se ? db.failure(what, se)
                    : e instanceof RuntimeException re ? re
                    : new SqliteStoreException(db.file(), "Could not " + what + " in the job store " + db.file() + ": " + e, e);
            for (Pending each : batch) {
                each.result = null;
                each.failure = failure;
            }
            if (e instanceof Error err) {
                throw err; // the leader's own thread sees the Error itself; the others get it wrapped
            }
        } finally {
            Thread self = Thread.currentThread();
            for (Pending each : batch) {
                each.done = true;
                if (each.waiter != self) {
                    LockSupport.unpark(each.waiter);
                }
            }
        }
    }

    /**
     * Inserts a group in the open transaction: one read of the sequence counter and of the queue's
     * size for the whole group, one insert per job, one write of the counter, and one addition to
     * the per-status (and per-tenant) counts per status and tenant in the group. A job whose insert
     * breaks a constraint fails alone: SQLite undoes only the statement that broke it, never the
     * transaction (a duplicate id, a value a column refuses). Any other error fails the whole group:
     * SQLite may have rolled the transaction back already.
     */
    private void insertGroup(List<Pending> batch) throws SQLException {
        CachedConnection writer = db.writer();
        long nextSequence = Queries.counterValue(writer, "sequence");
        long queued = -1;
        PreparedStatement insert = writer.prepare(JobRows.INSERT);
        Queries.AddedCounts added = new Queries.AddedCounts();
        for (Pending p : batch) {
            if (p.maxQueued > 0) {
                if (queued < 0) {
                    queued = Queries.countOf(writer, JobStatus.QUEUED);
                }
                if (queued >= p.maxQueued) {
                    p.result = Optional.empty();
                    continue;
                }
            }
            JobRecord stored = p.job.withSequence(nextSequence)
                    .withVirtualStart(db.mirror().startFor(p.job.priority(), p.job.tenant()));
            JobRows.bindInsert(insert, stored);
            try {
                insert.executeUpdate();
            } catch (SQLiteException e) {
                if (!e.getResultCode().name().startsWith("SQLITE_CONSTRAINT")) {
                    throw e;
                }
                p.failure = e.getResultCode() == SQLiteErrorCode.SQLITE_CONSTRAINT_PRIMARYKEY
                        ? new IllegalArgumentException("job " + p.job.id() + " already exists")
                        : db.failure("enqueue " + p.job.id(), e);
                continue;
            }
            nextSequence++;
            if (queued >= 0) {
                queued++;
            }
            p.result = Optional.of(stored);
            db.mirror().queued(stored);
            added.add(stored);
        }
        Queries.setCounter(writer, "sequence", nextSequence);
        added.write(writer);
    }
}
