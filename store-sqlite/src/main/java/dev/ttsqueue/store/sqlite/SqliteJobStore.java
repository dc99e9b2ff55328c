package dev.ttsqueue.store.sqlite;

import dev.ttsqueue.JobStatus;
import dev.ttsqueue.SynthesisResult;
import dev.ttsqueue.spi.CancelOutcome;
import dev.ttsqueue.spi.Claim;
import dev.ttsqueue.spi.JobRecord;
import dev.ttsqueue.spi.JobStore;
import dev.ttsqueue.spi.LeaseState;
import dev.ttsqueue.spi.QueuePlace;
import dev.ttsqueue.spi.TenantCounts;
import dev.ttsqueue.store.sqlite.internal.Database;
import dev.ttsqueue.store.sqlite.internal.DatabaseFile;
import dev.ttsqueue.store.sqlite.internal.GroupCommit;
import dev.ttsqueue.store.sqlite.internal.JobReads;
import dev.ttsqueue.store.sqlite.internal.JobRows;
import dev.ttsqueue.store.sqlite.internal.JobWrites;
import dev.ttsqueue.store.sqlite.internal.QueueMirror;
import dev.ttsqueue.store.sqlite.internal.Queries;
import dev.ttsqueue.store.sqlite.internal.Sweeps;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A durable {@link JobStore} in one SQLite database file, for a single server node.
 *
 * <pre>{@code
 * JobStore store = SqliteJobStore.builder(dataDir.resolve("jobs.db")).access(Access.EXCLUSIVE).open();
 * }</pre>
 *
 * <p><b>Durability.</b> The file runs in WAL mode with {@code synchronous=FULL}: every write
 * method returns only after its transaction is committed and the write-ahead log is fsynced. An
 * {@link #enqueue} that returned a record therefore survives {@code kill -9} and a power cut;
 * one that threw or never returned may or may not be there. (With WAL, {@code NORMAL} would
 * skip that fsync and could lose the last commits on power loss, which breaks the promise that
 * an acknowledged job is kept, so this store does not use it.)
 *
 * <p><b>Start-up.</b> Opening creates the file (and its folder) when missing and brings an older
 * layout up to date (see {@code README.md}, "Migration policy"). A file that is not an SQLite
 * database, fails SQLite's integrity check, belongs to another program, or was written by a newer
 * version of this library is refused with {@link UnusableDatabaseException}, naming the file and
 * leaving its bytes untouched; it is never recreated over. The queued jobs are read once into an
 * in-memory run-order index, which answers places in the queue and claims in O(log n).
 *
 * <p><b>Recovery.</b> Nothing runs at start-up beyond the checks. Jobs that were {@code PROCESSING}
 * when the process died are put back in their old place (attempt count kept) by the queue: on a
 * {@link Access#SHARED} store once their lease ends ({@link #recoverExpiredLeases}), on an
 * {@link Access#EXCLUSIVE} one as soon as a queue starts on it ({@link #recoverAllHeld}). Sequence numbers
 * and fencing tokens come from a counters table written in the same transaction, so they keep
 * increasing across restarts and are never reused, even after a purge.
 *
 * <p><b>Threads.</b> All methods are thread-safe. Writes go through one connection under a lock,
 * each in a {@code BEGIN IMMEDIATE} transaction (so several processes sharing the file stay
 * correct too); submissions that arrive during a commit share the next one (group commit, see
 * {@link #enqueue}). Reads use a small pool of read-only connections and do not wait for writes.
 * Instants are kept as epoch milliseconds; records returned by this store are already cut to
 * milliseconds.
 *
 * <p>Failures of the database during normal operation (disk full, I/O error) surface as
 * {@link SqliteStoreException}; after {@link #close()} every method throws it.
 */
public final class SqliteJobStore implements JobStore {
    private static final Logger log = LoggerFactory.getLogger(SqliteJobStore.class);

    /** Read connections a store keeps unless its builder says otherwise. */
    public static final int DEFAULT_READERS = 4;

    /**
     * Whether other stores may have the file open at the same time. Every store takes a lock on
     * {@code <file>.lock} for as long as it is open (shared or exclusive, released by the OS if the
     * process dies), so the two modes can never be mixed on one file by mistake.
     */
    public enum Access {
        /**
         * Other stores, in this process or others, may open the file too, each with {@code SHARED}.
         * Jobs that were running in a process that died run again when their lease ends.
         */
        SHARED,
        /**
         * This store alone: opening fails with {@link StoreInUseException} while any other store has
         * the file open, and no other can open it until this one is closed. In exchange the store
         * is {@link JobStore#exclusive() exclusive}: a queue starting on it runs jobs left processing
         * by a dead process again at once instead of after their lease.
         */
        EXCLUSIVE
    }

    private final Access access;
    private final Database db;
    private final QueueMirror mirror;
    private final GroupCommit enqueues;

    private SqliteJobStore(Access access, Database db) {
        this.access = access;
        this.db = db;
        this.mirror = db.mirror();
        this.enqueues = new GroupCommit(db);
    }

    /** A builder for a store in {@code dbFile}: {@link Access#SHARED}, {@link #DEFAULT_READERS} readers. */
    public static Builder builder(Path dbFile) {
        return new Builder(dbFile);
    }

    /**
     * Opens or creates a {@link Access#SHARED} store in {@code dbFile}: {@code builder(dbFile).open()}.
     *
     * @throws StoreInUseException when another store holds the file exclusively
     * @throws UnusableDatabaseException when the file exists but cannot be used (left untouched)
     * @throws SqliteStoreException when the file or its folder cannot be created or opened
     * @throws NullPointerException when {@code dbFile} is null
     */
    public static SqliteJobStore open(Path dbFile) {
        return builder(dbFile).open();
    }

    /** How a store is opened: the file, its {@link Access}, its read connections. */
    public static final class Builder {
        private final Path file;
        private Access access = Access.SHARED;
        private int readers = DEFAULT_READERS;

        private Builder(Path file) {
            this.file = Objects.requireNonNull(file, "dbFile");
        }

        /** Whether other stores may open the file too; default {@link Access#SHARED}. */
        public Builder access(Access value) {
            this.access = Objects.requireNonNull(value, "access");
            return this;
        }

        /**
         * Read connections to keep open; default {@link #DEFAULT_READERS}.
         *
         * @throws IllegalArgumentException when below 1
         */
        public Builder readers(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("readers must be at least 1, got " + value);
            }
            this.readers = value;
            return this;
        }

        /**
         * Opens or creates the store.
         *
         * @throws StoreInUseException when another store holds the file in a mode that excludes this one
         * @throws UnusableDatabaseException when the file exists but cannot be used (left untouched)
         * @throws SqliteStoreException when the file or its folder cannot be created or opened
         */
        public SqliteJobStore open() {
            return new SqliteJobStore(access, DatabaseFile.open(file, access == Access.EXCLUSIVE, readers));
        }
    }

    /** The database file, absolute. */
    public Path file() {
        return db.file();
    }

    /** How this store was opened. */
    public Access access() {
        return access;
    }

    /** True when opened with {@link Access#EXCLUSIVE}: no other store can have the file open. */
    @Override
    public boolean exclusive() {
        return access == Access.EXCLUSIVE;
    }

    // ---------------------------------------------------------------- writes

    /**
     * {@inheritDoc}
     *
     * <p>Returns only after the job's row is committed and fsynced. Submissions that arrive while
     * another commit is in flight are committed together in the next transaction (group commit),
     * and a job that breaks a constraint fails alone, never taking the others down with it.
     */
    @Override
    public Optional<JobRecord> enqueue(JobRecord job, int maxQueued) {
        if (job.status() != JobStatus.QUEUED) {
            throw new IllegalArgumentException("only queued jobs can be enqueued, got " + job.status());
        }
        return enqueues.enqueue(JobRows.truncate(job), maxQueued);
    }

    /**
     * Commits {@code jobs} as one group, exactly as submitters that queued up together would be.
     * Lets tests reach the group path without depending on thread timing.
     */
    List<GroupCommit.Pending> enqueueAsGroup(List<JobRecord> jobs, int maxQueued) {
        return enqueues.enqueueAsGroup(jobs.stream().map(JobRows::truncate).toList(), maxQueued);
    }

    @Override
    public Optional<Claim> claimNext(String workerId, Instant now, Duration lease) {
        // An idle worker polls often: an empty queue is seen without the write lock, in the index
        // when this store is the file's only user, else on a read connection (another process may
        // have queued jobs this one has not seen).
        if (!mirror.needsRefresh()) {
            if (mirror.isEmpty()) {
                return Optional.empty();
            }
        } else if (db.read("count queued jobs", c -> Queries.countOf(c, JobStatus.QUEUED)) == 0) {
            return Optional.empty();
        }
        Instant start = JobRows.millis(now);
        Instant leaseEnd = JobRows.millis(now.plus(lease));
        return db.write("claim a job", c -> {
            String firstId = mirror.first(); // the transaction began with the index up to date
            JobRecord next = firstId == null ? null : Queries.byId(c, firstId);
            if (next != null && next.status() != JobStatus.QUEUED) {
                // The index and the table disagree, which no path should allow: trust the table.
                log.warn("Job store {}: run-order index out of step at job {}; rebuilding it", db.file(), firstId);
                mirror.markStale();
                next = Queries.queryOne(c.prepare(Queries.NEXT_QUEUED));
            }
            if (next == null) {
                return Optional.empty();
            }
            long token = Queries.nextValue(c, "fencing_token");
            JobRecord claimed = next.claimed(workerId, start, leaseEnd, token);
            Queries.update(c, claimed);
            Queries.recordClaim(c, claimed);
            mirror.claimed(claimed);
            return Optional.of(new Claim(claimed, token));
        });
    }

    @Override
    public LeaseState renewLease(String jobId, long fencingToken, Instant leaseEnd) {
        Instant end = JobRows.millis(leaseEnd);
        return updateHeld("renew the lease of " + jobId, jobId, fencingToken, j -> j.withLease(end));
    }

    @Override
    public LeaseState recordProgress(String jobId, long fencingToken, int stepsDone, int stepsTotal, double progress,
            Instant estimatedCompletion) {
        Instant eta = JobRows.millis(estimatedCompletion);
        return updateHeld("record progress of " + jobId, jobId, fencingToken,
                j -> j.withProgress(stepsDone, stepsTotal, progress, eta));
    }

    @Override
    public boolean complete(String jobId, long fencingToken, SynthesisResult result, Instant now) {
        Instant t = JobRows.millis(now);
        return updateHeld("complete " + jobId, jobId, fencingToken, j -> j.completed(result, t)) != LeaseState.LOST;
    }

    @Override
    public boolean fail(String jobId, long fencingToken, String error, Instant now) {
        Instant t = JobRows.millis(now);
        return updateHeld("fail " + jobId, jobId, fencingToken, j -> j.failed(error, t)) != LeaseState.LOST;
    }

    @Override
    public boolean finishCancelled(String jobId, long fencingToken, Instant now) {
        Instant t = JobRows.millis(now);
        return updateHeld("cancel " + jobId, jobId, fencingToken, j -> j.cancelled(t)) != LeaseState.LOST;
    }

    private LeaseState updateHeld(String what, String jobId, long token, UnaryOperator<JobRecord> change) {
        return db.write(what, c -> {
            JobRecord current = Queries.byId(c, jobId);
            if (current == null || current.status() != JobStatus.PROCESSING || current.fencingToken() != token) {
                return LeaseState.LOST;
            }
            Queries.update(c, change.apply(current));
            return current.cancelRequested() ? LeaseState.CANCEL_REQUESTED : LeaseState.HELD;
        });
    }

    @Override
    public Optional<JobRecord> release(String jobId, long fencingToken, Instant now) {
        return JobWrites.release(db, jobId, fencingToken, JobRows.millis(now));
    }

    @Override
    public CancelOutcome requestCancel(String jobId, Instant now) {
        return JobWrites.requestCancel(db, jobId, JobRows.millis(now));
    }

    @Override
    public List<JobRecord> purgeFinishedBefore(Instant cutoff) {
        return Sweeps.purgeFinishedBefore(db, cutoff.toEpochMilli());
    }

    @Override
    public List<JobRecord> recoverExpiredLeases(Instant now, int maxAttempts) {
        return recover("recover expired leases", now, maxAttempts, true);
    }

    @Override
    public List<JobRecord> recoverAllHeld(Instant now, int maxAttempts) {
        if (access != Access.EXCLUSIVE) {
            // Other processes may be running these jobs right now.
            throw new UnsupportedOperationException("The job store " + db.file()
                    + " is shared: held jobs are recovered when their lease ends");
        }
        return recover("recover held jobs", now, maxAttempts, false);
    }

    /** Finds the jobs; {@link JobRecord#afterLostWorker} decides what becomes of each. */
    private List<JobRecord> recover(String what, Instant now, int maxAttempts, boolean onlyExpired) {
        return Sweeps.recover(db, what, JobRows.millis(now), maxAttempts, onlyExpired);
    }

    // ---------------------------------------------------------------- reads

    @Override
    public Optional<JobRecord> get(String jobId) {
        return Optional.ofNullable(db.read("read " + jobId, c -> Queries.byId(c, jobId)));
    }

    @Override
    public List<JobRecord> list(JobStatus status, long beforeSequence, int limit) {
        return JobReads.newest(db, status, beforeSequence, limit);
    }

    @Override
    public List<JobRecord> queuedInRunOrder(int limit) {
        return JobReads.inRunOrder(db, limit);
    }

    @Override
    public Map<JobStatus, Long> counts() {
        return JobReads.counts(db);
    }

    /** {@inheritDoc} From a table the triggers keep: one or two rows by primary key. */
    @Override
    public TenantCounts tenantCounts(String tenant) {
        return JobReads.tenantCounts(db, tenant);
    }

    /**
     * {@inheritDoc}
     *
     * <p>From the run-order index in memory: no query. On a {@link Access#SHARED} store another
     * process may have changed the queue since this one last wrote, so the index is checked against
     * the file's change counter first (under the write lock, so it may wait for a commit), and
     * rebuilt from the table when another process wrote: O(n) then, once per change elsewhere.
     */
    @Override
    public QueuePlace queuePlace(JobRecord job) {
        if (mirror.needsRefresh()) {
            db.withWriter("read the queue", c -> {
                mirror.refresh(c);
                return null;
            });
        }
        return mirror.place(job.priority(), job.virtualStart(), job.sequence());
    }

    /** The writer's journal mode and {@code PRAGMA synchronous} (2 = FULL), for the test that pins them. */
    List<Object> writerDurability() {
        return db.writerDurability();
    }

    @Override
    public String describe() {
        return "sqlite:" + db.file();
    }

    /** Closes every connection; later calls throw {@link SqliteStoreException}. Idempotent. */
    @Override
    public void close() {
        db.close();
        enqueues.wakeAll();
    }
}
