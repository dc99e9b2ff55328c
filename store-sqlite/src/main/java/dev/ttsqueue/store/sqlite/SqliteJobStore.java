package dev.ttsqueue.store.sqlite;

import dev.ttsqueue.JobStatus;
import dev.ttsqueue.SynthesisResult;
import dev.ttsqueue.spi.CancelOutcome;
import dev.ttsqueue.spi.Claim;
import dev.ttsqueue.spi.JobRecord;
import dev.ttsqueue.spi.JobStore;
import dev.ttsqueue.spi.LeaseState;
import dev.ttsqueue.spi.QueuePlace;
import dev.ttsqueue.store.RunOrderIndex;
import dev.ttsqueue.store.sqlite.internal.CachedConnection;
import dev.ttsqueue.store.sqlite.internal.JobRows;
import dev.ttsqueue.store.sqlite.internal.Schema;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * A durable {@link JobStore} in one SQLite database file, for a single server node.
 *
 * <p><b>Durability.</b> The file runs in WAL mode with {@code synchronous=FULL}: every write
 * method returns only after its transaction is committed and the write-ahead log is fsynced. An
 * {@link #enqueue} that returned a record therefore survives {@code kill -9} and a power cut;
 * one that threw or never returned may or may not be there. (With WAL, {@code NORMAL} would
 * skip that fsync and could lose the last commits on power loss, which breaks the promise that
 * an acknowledged job is kept, so this store does not use it.)
 *
 * <p><b>Start-up.</b> {@link #open} creates the file (and its folder) when missing and brings an
 * older layout up to date (see {@code README.md}, "Migration policy"). A file that is not an SQLite
 * database, fails SQLite's integrity check, belongs to another program, or was written by a newer
 * version of this library is refused with {@link UnusableDatabaseException}, naming the file and
 * leaving its bytes untouched; it is never recreated over.
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

    /** Read connections opened by {@link #open(Path)}. */
    public static final int DEFAULT_READERS = 4;
    /** How long a write waits for another process's transaction before failing. */
    private static final int BUSY_TIMEOUT_MS = 10_000;

    private static final String SELECT = "SELECT " + JobRows.COLUMNS + " FROM jobs";
    private static final String BY_ID = SELECT + " WHERE id = ?";
    private static final String NEXT_QUEUED = SELECT + " WHERE status = 'QUEUED' ORDER BY priority DESC, sequence LIMIT 1";
    private static final String RUN_ORDER = SELECT + " WHERE status = 'QUEUED' ORDER BY priority DESC, sequence LIMIT ?";
    private static final String NEWEST = SELECT + " WHERE sequence < ? ORDER BY sequence DESC LIMIT ?";
    private static final String NEWEST_WITH_STATUS = SELECT + " WHERE status = ? AND sequence < ? ORDER BY sequence DESC LIMIT ?";
    /** What the run-order index needs of each queued job. */
    private static final String QUEUED_KEYS = "SELECT id, priority, sequence, length(gen_text) FROM jobs WHERE status = 'QUEUED'";
    private static final String EXPIRED = SELECT + " WHERE status = 'PROCESSING' AND lease_expires_at <= ? ORDER BY sequence";
    private static final String HELD = SELECT + " WHERE status = 'PROCESSING' ORDER BY sequence";
    private static final String FINISHED_WHERE = " WHERE status IN ('COMPLETED', 'FAILED', 'CANCELLED') AND completed_at < ?";

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

    private final Path file;
    private final Access access;
    private final FileLocks.Held fileLock;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final CachedConnection writer;
    private final BlockingQueue<CachedConnection> readers;
    /** Submissions waiting for the next commit; see {@link #enqueue}. */
    private final Queue<PendingEnqueue> pendingEnqueues = new ConcurrentLinkedQueue<>();
    private volatile boolean closed;
    /**
     * The queued jobs in run order, mirrored in memory so that a place in the queue costs O(log n)
     * instead of a count over the queue. Changed only under {@link #writeLock}, after the commit
     * that made the change; read under its own monitor, so readers never wait for a commit.
     */
    private final RunOrderIndex<String> queueIndex = new RunOrderIndex<>();
    /** Index changes of the transaction in progress, applied once it committed. Under {@link #writeLock}. */
    private final List<Runnable> onCommit = new ArrayList<>();
    /** The index may disagree with the table (a commit whose outcome is unknown): rebuild before use. */
    private volatile boolean indexStale = true;
    /** The writer's {@code PRAGMA data_version} when the index was last known right; under {@link #writeLock}. */
    private long indexDataVersion = Long.MIN_VALUE;

    private SqliteJobStore(Path file, Access access, FileLocks.Held fileLock, CachedConnection writer,
            BlockingQueue<CachedConnection> readers) {
        this.file = file;
        this.access = access;
        this.fileLock = fileLock;
        this.writer = writer;
        this.readers = readers;
    }

    /**
     * Opens or creates the store in {@code dbFile} with {@link #DEFAULT_READERS} read connections.
     *
     * @throws UnusableDatabaseException when the file exists but cannot be used (left untouched)
     * @throws SqliteStoreException when the file or its folder cannot be created or opened
     * @throws NullPointerException when {@code dbFile} is null
     */
    public static SqliteJobStore open(Path dbFile) {
        return open(dbFile, Access.SHARED, DEFAULT_READERS);
    }

    /**
     * Opens or creates the store in {@code dbFile} with {@link #DEFAULT_READERS} read connections
     * and the given {@link Access}.
     *
     * @throws StoreInUseException when another store holds the file in a mode that excludes this one
     * @throws UnusableDatabaseException when the file exists but cannot be used (left untouched)
     * @throws SqliteStoreException when the file or its folder cannot be created or opened
     */
    public static SqliteJobStore open(Path dbFile, Access access) {
        return open(dbFile, access, DEFAULT_READERS);
    }

    /**
     * Opens or creates the store in {@code dbFile}.
     *
     * @param readers read connections to keep open, at least 1
     * @throws UnusableDatabaseException when the file exists but cannot be used (left untouched)
     * @throws SqliteStoreException when the file or its folder cannot be created or opened
     * @throws IllegalArgumentException when {@code readers} is below 1
     */
    public static SqliteJobStore open(Path dbFile, int readers) {
        return open(dbFile, Access.SHARED, readers);
    }

    /**
     * Opens or creates the store in {@code dbFile}.
     *
     * @param readers read connections to keep open, at least 1
     * @throws StoreInUseException when another store holds the file in a mode that excludes this one
     * @throws UnusableDatabaseException when the file exists but cannot be used (left untouched)
     * @throws SqliteStoreException when the file or its folder cannot be created or opened
     * @throws IllegalArgumentException when {@code readers} is below 1
     */
    public static SqliteJobStore open(Path dbFile, Access access, int readers) {
        if (readers < 1) {
            throw new IllegalArgumentException("readers must be at least 1, got " + readers);
        }
        java.util.Objects.requireNonNull(access, "access");
        Path file = realPath(dbFile.toAbsolutePath().normalize());
        prepareFolder(file);
        FileLocks.Held lock = FileLocks.acquire(file, access == Access.EXCLUSIVE);
        try {
            return openLocked(file, access, lock, readers);
        } catch (RuntimeException | Error e) {
            lock.release();
            throw e;
        }
    }

    private static SqliteJobStore openLocked(Path file, Access access, FileLocks.Held lock, int readers) {
        CachedConnection writer = new CachedConnection(openWriter(file));
        BlockingQueue<CachedConnection> pool = new ArrayBlockingQueue<>(readers);
        try {
            for (int i = 0; i < readers; i++) {
                Connection c = connect(file);
                try (Statement st = c.createStatement()) {
                    st.execute("PRAGMA query_only = 1");
                } catch (SQLException e) {
                    closeQuietly(c);
                    throw e;
                }
                pool.add(new CachedConnection(c));
            }
        } catch (SQLException e) {
            closeAll(writer, pool);
            throw new SqliteStoreException(file, "Cannot open read connections to the job store " + file + ": "
                    + e.getMessage(), e);
        }
        SqliteJobStore store = new SqliteJobStore(file, access, lock, writer, pool);
        store.writeLock.lock();
        try {
            store.refreshIndex();
        } catch (SQLException e) {
            closeAll(writer, pool);
            throw new SqliteStoreException(file, "Cannot read the queue of the job store " + file + ": " + e.getMessage(), e);
        } finally {
            store.writeLock.unlock();
        }
        return store;
    }

    /** The database file, absolute. */
    public Path file() {
        return file;
    }

    // ---------------------------------------------------------------- opening

    /**
     * The file with every symbolic link resolved (its folder's too), so that each way of naming
     * one database leads to one lock file. A file not created yet keeps its name under its folder's
     * real path. (Hard links to one database are not recognised: do not make them.)
     */
    private static Path realPath(Path file) {
        try {
            if (Files.exists(file)) {
                return file.toRealPath();
            }
            Path parent = file.getParent();
            if (parent != null && Files.isDirectory(parent)) {
                return parent.toRealPath().resolve(file.getFileName());
            }
        } catch (IOException e) {
            // Let opening report it, with its own message.
        }
        return file;
    }

    private static void prepareFolder(Path file) {
        if (Files.isDirectory(file)) {
            throw new UnusableDatabaseException(file, "Cannot use " + file + " as a job store: it is a directory", null);
        }
        try {
            Path parent = file.getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
        } catch (IOException e) {
            throw new SqliteStoreException(file, "Cannot create the folder for the job store " + file + ": " + e, e);
        }
    }

    /** Checks the file before anything writes to it, then switches to WAL and migrates. */
    private static Connection openWriter(Path file) {
        Connection c;
        try {
            c = connect(file);
        } catch (SQLException e) {
            throw new SqliteStoreException(file, "Cannot open the job store " + file + ": " + e.getMessage(), e);
        }
        try {
            Schema.Inspection found = inspect(c, file);
            if (!found.isEmpty() && !found.isOurs()) {
                throw unusable(file, String.format("it is an SQLite database of another program (application_id 0x%08x, "
                        + "user_version %d, %d schema objects)", found.applicationId(), found.userVersion(),
                        found.catalogueEntries()), null);
            }
            if (found.isOurs() && found.userVersion() > Schema.CURRENT_VERSION) {
                throw unusable(file, "a newer version of this library wrote it (layout version " + found.userVersion()
                        + "; this version reads up to " + Schema.CURRENT_VERSION + "). Run the newer version, "
                        + "or restore a backup made by this one", null);
            }
            try (Statement st = c.createStatement()) {
                try (ResultSet rs = st.executeQuery("PRAGMA journal_mode = WAL")) {
                    String mode = rs.next() ? rs.getString(1) : "";
                    if (!"wal".equalsIgnoreCase(mode)) {
                        throw new SqliteStoreException(file, "Cannot switch the job store " + file + " to WAL mode (got '"
                                + mode + "'); the folder must be on a local file system", null);
                    }
                }
                st.execute("PRAGMA synchronous = FULL");
            }
            List<Integer> applied = Schema.migrate(c);
            if (!applied.isEmpty()) {
                log.info("Job store {}: layout migrated from version {} to {}", file, found.userVersion(), Schema.CURRENT_VERSION);
            }
            log.info("Job store {} opened (layout version {}, WAL, synchronous=FULL)", file, Schema.CURRENT_VERSION);
            return c;
        } catch (SQLException e) {
            closeQuietly(c);
            throw new SqliteStoreException(file, "Cannot prepare the job store " + file + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(c);
            throw e;
        }
    }

    /** Reads header and catalogue and runs SQLite's quick integrity check; writes nothing. */
    private static Schema.Inspection inspect(Connection c, Path file) {
        try {
            Schema.Inspection found = Schema.inspect(c);
            String check = Schema.quickCheck(c);
            if (!"ok".equals(check)) {
                throw unusable(file, "SQLite's integrity check failed: " + check, null);
            }
            return found;
        } catch (SQLException e) {
            String damage = damage(e);
            if (damage != null) {
                throw unusable(file, damage, e);
            }
            // busy, locked, permissions, I/O: the file may be fine, so do not call it unusable
            throw new SqliteStoreException(file, "Cannot read the job store " + file + ": " + e.getMessage(), e);
        }
    }

    /** Why the file itself is unusable, or null when the error says nothing about its content. */
    private static String damage(SQLException e) {
        if (e instanceof SQLiteException se) {
            SQLiteErrorCode code = se.getResultCode();
            if (code == SQLiteErrorCode.SQLITE_NOTADB) {
                return "it is not an SQLite database, or its header is damaged";
            }
            // SQLITE_CORRUPT and its extended forms (_INDEX, _SEQUENCE, _VTAB)
            if (code.name().startsWith("SQLITE_CORRUPT")) {
                return "it is damaged (" + e.getMessage() + ")";
            }
        }
        return null;
    }

    private static UnusableDatabaseException unusable(Path file, String reason, Throwable cause) {
        return new UnusableDatabaseException(file, "Cannot use " + file + " as a job store: " + reason
                + ". The file was left untouched; restore it from a backup, or move it away to start with an empty store.",
                cause);
    }

    private static Connection connect(Path file) throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.setBusyTimeout(BUSY_TIMEOUT_MS);
        return DriverManager.getConnection("jdbc:sqlite:" + file, config.toProperties());
    }

    // ---------------------------------------------------------------- writes

    /**
     * {@inheritDoc}
     *
     * <p>Returns only after the job's row is committed and fsynced. Submissions that arrive while
     * another commit is in flight are committed together in the next transaction (group commit),
     * each still in its own savepoint, so one bad job never takes the others down with it.
     */
    @Override
    public Optional<JobRecord> enqueue(JobRecord job, int maxQueued) {
        if (job.status() != JobStatus.QUEUED) {
            throw new IllegalArgumentException("only queued jobs can be enqueued, got " + job.status());
        }
        PendingEnqueue mine = new PendingEnqueue(JobRows.truncate(job), maxQueued, Thread.currentThread());
        pendingEnqueues.add(mine);
        boolean interrupted = false;
        try {
            while (!mine.done) {
                if (writeLock.tryLock()) {
                    try {
                        if (!mine.done) {
                            if (closed) {
                                pendingEnqueues.remove(mine);
                                ensureOpen();
                            }
                            // This thread leads: it commits its own job and everyone who queued up behind the last commit.
                            commitPendingEnqueues();
                        }
                    } finally {
                        writeLock.unlock();
                        wakeNextEnqueuer();
                    }
                } else {
                    // Another thread writes. Its group takes this job, or it wakes this thread to lead the
                    // next group; the timeout only guards against a wake-up lost to a writer that failed.
                    // Waiting here, not in the lock's queue, keeps the finished members of a group from
                    // taking the lock one by one just to learn that they are done.
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

    /** How long a submitter waiting for another thread's commit sleeps before it looks again on its own. */
    private static final long FOLLOWER_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    /**
     * One submission waiting for a commit. {@code result} and {@code failure} are written by the
     * committing thread before it sets {@code done}, whose volatile write publishes them.
     */
    static final class PendingEnqueue {
        final JobRecord job;
        final int maxQueued;
        final Thread waiter;
        volatile boolean done;
        Optional<JobRecord> result;
        RuntimeException failure;

        PendingEnqueue(JobRecord job, int maxQueued, Thread waiter) {
            this.job = job;
            this.maxQueued = maxQueued;
            this.waiter = waiter;
        }
    }

    /**
     * Wakes the first submitter still waiting, if any, to lead the next group. Called after every
     * release of the write lock: a submitter that found it taken sleeps until then.
     */
    private void wakeNextEnqueuer() {
        PendingEnqueue next = pendingEnqueues.peek();
        if (next != null) {
            LockSupport.unpark(next.waiter);
        }
    }

    /** Commits every waiting submission in one transaction. Caller holds the write lock. */
    private void commitPendingEnqueues() {
        List<PendingEnqueue> batch = new ArrayList<>();
        PendingEnqueue p;
        while ((p = pendingEnqueues.poll()) != null) {
            batch.add(p);
        }
        commitGroup(batch);
    }

    /**
     * Commits {@code jobs} as one group, exactly as submitters that queued up together would be.
     * Lets tests reach the group path without depending on thread timing.
     */
    List<PendingEnqueue> enqueueAsGroup(List<JobRecord> jobs, int maxQueued) {
        List<PendingEnqueue> group = jobs.stream()
                .map(j -> new PendingEnqueue(JobRows.truncate(j), maxQueued, Thread.currentThread())).toList();
        writeLock.lock();
        try {
            ensureOpen();
            commitGroup(group);
        } finally {
            writeLock.unlock();
        }
        return group;
    }

    private void commitGroup(List<PendingEnqueue> batch) {
        try {
            begin();
            boolean committed = false;
            try {
                insertGroup(batch);
                commit();
                committed = true;
            } finally {
                if (!committed) {
                    rollback();
                }
            }
        } catch (SQLException | RuntimeException | Error e) {
            String what = batch.size() == 1 ? "enqueue " + batch.get(0).job.id() : "enqueue " + batch.size() + " jobs";
            RuntimeException failure = e instanceof SQLException se ? failure(what, se)
                    : e instanceof RuntimeException re ? re
                    : new SqliteStoreException(file, "Could not " + what + " in the job store " + file + ": " + e, e);
            for (PendingEnqueue each : batch) {
                each.result = null;
                each.failure = failure;
            }
            if (e instanceof Error err) {
                throw err; // the leader's own thread sees the Error itself; the others get it wrapped
            }
        } finally {
            Thread self = Thread.currentThread();
            for (PendingEnqueue each : batch) {
                each.done = true;
                if (each.waiter != self) {
                    LockSupport.unpark(each.waiter);
                }
            }
        }
    }

    /**
     * Inserts a group in the open transaction: one read of the sequence counter and of the queue's
     * size for the whole group, one insert per job, one write of the counter. A job whose id exists
     * fails alone: SQLite undoes only the statement that broke the constraint, never the
     * transaction (a duplicate id, a value a column refuses). Any other error fails the whole group:
     * SQLite may have rolled the transaction back already.
     */
    private void insertGroup(List<PendingEnqueue> batch) throws SQLException {
        long nextSequence = counterValue(writer, "sequence");
        long queued = -1;
        PreparedStatement insert = writer.prepare(JobRows.INSERT);
        for (PendingEnqueue p : batch) {
            if (p.maxQueued > 0) {
                if (queued < 0) {
                    queued = countOf(writer, JobStatus.QUEUED);
                }
                if (queued >= p.maxQueued) {
                    p.result = Optional.empty();
                    continue;
                }
            }
            JobRecord stored = p.job.withSequence(nextSequence);
            JobRows.bindInsert(insert, stored);
            try {
                insert.executeUpdate();
            } catch (SQLiteException e) {
                if (!e.getResultCode().name().startsWith("SQLITE_CONSTRAINT")) {
                    throw e;
                }
                p.failure = e.getResultCode() == SQLiteErrorCode.SQLITE_CONSTRAINT_PRIMARYKEY
                        ? new IllegalArgumentException("job " + p.job.id() + " already exists")
                        : failure("enqueue " + p.job.id(), e);
                continue;
            }
            nextSequence++;
            if (queued >= 0) {
                queued++;
            }
            p.result = Optional.of(stored);
            onCommit.add(() -> queueIndex.add(stored.priority(), stored.sequence(), stored.work(), stored.id()));
        }
        setCounter(writer, "sequence", nextSequence);
    }

    @Override
    public Optional<Claim> claimNext(String workerId, Instant now, Duration lease) {
        // An idle worker polls often: an empty queue is seen without the write lock, in the index
        // when this store is the file's only user, else on a read connection (another process may
        // have queued jobs this one has not seen).
        if (access == Access.EXCLUSIVE && !indexStale) {
            synchronized (queueIndex) {
                if (queueIndex.isEmpty()) {
                    return Optional.empty();
                }
            }
        } else if (read("count queued jobs", c -> countOf(c, JobStatus.QUEUED)) == 0) {
            return Optional.empty();
        }
        Instant start = JobRows.millis(now);
        Instant leaseEnd = JobRows.millis(now.plus(lease));
        return write("claim a job", c -> {
            String firstId;
            synchronized (queueIndex) {
                firstId = queueIndex.first(); // the transaction began with the index up to date
            }
            JobRecord next = firstId == null ? null : byId(c, firstId);
            if (next != null && next.status() != JobStatus.QUEUED) {
                // The index and the table disagree, which no path should allow: trust the table.
                log.warn("Job store {}: run-order index out of step at job {}; rebuilding it", file, firstId);
                indexStale = true;
                next = queryOne(c.prepare(NEXT_QUEUED));
            }
            if (next == null) {
                return Optional.empty();
            }
            long token = nextValue(c, "fencing_token");
            JobRecord claimed = next.claimed(workerId, start, leaseEnd, token);
            update(c, claimed);
            onCommit.add(() -> queueIndex.remove(claimed.priority(), claimed.sequence()));
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
        return write(what, c -> {
            JobRecord current = byId(c, jobId);
            if (current == null || current.status() != JobStatus.PROCESSING || current.fencingToken() != token) {
                return LeaseState.LOST;
            }
            update(c, change.apply(current));
            return current.cancelRequested() ? LeaseState.CANCEL_REQUESTED : LeaseState.HELD;
        });
    }

    @Override
    public CancelOutcome requestCancel(String jobId, Instant now) {
        Instant t = JobRows.millis(now);
        return write("cancel " + jobId, c -> {
            JobRecord current = byId(c, jobId);
            if (current == null) {
                return CancelOutcome.NOT_FOUND;
            }
            switch (current.status()) {
                case QUEUED -> {
                    update(c, current.cancelled(t));
                    onCommit.add(() -> queueIndex.remove(current.priority(), current.sequence()));
                    return CancelOutcome.CANCELLED;
                }
                case PROCESSING -> {
                    if (!current.cancelRequested()) {
                        update(c, current.withCancelRequested());
                    }
                    return CancelOutcome.CANCEL_REQUESTED;
                }
                default -> {
                    return CancelOutcome.ALREADY_FINISHED;
                }
            }
        });
    }

    @Override
    public List<JobRecord> purgeFinishedBefore(Instant cutoff) {
        long before = cutoff.toEpochMilli();
        return write("purge finished jobs", c -> {
            PreparedStatement select = c.prepare(SELECT + FINISHED_WHERE);
            select.setLong(1, before);
            List<JobRecord> removed = queryAll(select);
            if (!removed.isEmpty()) {
                PreparedStatement delete = c.prepare("DELETE FROM jobs" + FINISHED_WHERE);
                delete.setLong(1, before);
                delete.executeUpdate();
            }
            return removed;
        });
    }

    @Override
    public List<JobRecord> recoverExpiredLeases(Instant now, int maxAttempts) {
        return recover("requeue expired jobs", now, maxAttempts, true);
    }

    @Override
    public List<JobRecord> recoverAllHeld(Instant now, int maxAttempts) {
        if (access != Access.EXCLUSIVE) {
            // Other processes may be running these jobs right now.
            throw new UnsupportedOperationException("The job store " + file + " is shared: held jobs are recovered when their lease ends");
        }
        return recover("requeue held jobs", now, maxAttempts, false);
    }

    /** The writer's journal mode and {@code PRAGMA synchronous} (2 = FULL), for the test that pins them. */
    List<Object> writerDurability() {
        writeLock.lock();
        try (ResultSet mode = writer.prepare("PRAGMA journal_mode").executeQuery();
                ResultSet sync = writer.prepare("PRAGMA synchronous").executeQuery()) {
            ensureOpen();
            mode.next();
            sync.next();
            return List.of(mode.getString(1).toLowerCase(java.util.Locale.ROOT), sync.getInt(1));
        } catch (SQLException e) {
            throw failure("read its settings", e);
        } finally {
            writeLock.unlock();
        }
    }

    /** True when opened with {@link Access#EXCLUSIVE}: no other store can have the file open. */
    @Override
    public boolean exclusive() {
        return access == Access.EXCLUSIVE;
    }

    /** How this store was opened. */
    public Access access() {
        return access;
    }

    private List<JobRecord> recover(String what, Instant now, int maxAttempts, boolean onlyExpired) {
        Instant t = JobRows.millis(now);
        return write(what, c -> {
            PreparedStatement select = c.prepare(onlyExpired ? EXPIRED : HELD);
            if (onlyExpired) {
                select.setLong(1, t.toEpochMilli());
            }
            List<JobRecord> changed = new ArrayList<>();
            for (JobRecord j : queryAll(select)) {
                JobRecord next = j.afterLostWorker(t, maxAttempts);
                update(c, next);
                changed.add(next);
                if (next.status() == JobStatus.QUEUED) {
                    onCommit.add(() -> queueIndex.add(next.priority(), next.sequence(), next.work(), next.id()));
                }
            }
            return changed;
        });
    }

    // ---------------------------------------------------------------- reads

    @Override
    public Optional<JobRecord> get(String jobId) {
        return Optional.ofNullable(read("read " + jobId, c -> byId(c, jobId)));
    }

    @Override
    public List<JobRecord> list(JobStatus status, long beforeSequence, int limit) {
        if (limit <= 0) {
            return List.of();
        }
        return read("list jobs", c -> {
            PreparedStatement ps;
            if (status == null) {
                ps = c.prepare(NEWEST);
                ps.setLong(1, beforeSequence);
                ps.setInt(2, limit);
            } else {
                ps = c.prepare(NEWEST_WITH_STATUS);
                ps.setString(1, status.name());
                ps.setLong(2, beforeSequence);
                ps.setInt(3, limit);
            }
            return queryAll(ps);
        });
    }

    @Override
    public List<JobRecord> queuedInRunOrder(int limit) {
        if (limit <= 0) {
            return List.of();
        }
        return read("list queued jobs", c -> {
            PreparedStatement ps = c.prepare(RUN_ORDER);
            ps.setInt(1, limit);
            return queryAll(ps);
        });
    }

    @Override
    public Map<JobStatus, Long> counts() {
        return read("count jobs", c -> {
            EnumMap<JobStatus, Long> out = new EnumMap<>(JobStatus.class);
            for (JobStatus s : JobStatus.values()) {
                out.put(s, 0L);
            }
            try (ResultSet rs = c.prepare("SELECT status, jobs FROM status_counts").executeQuery()) {
                while (rs.next()) {
                    out.put(JobStatus.valueOf(rs.getString(1)), rs.getLong(2));
                }
            }
            return out;
        });
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
        if (access == Access.SHARED || indexStale) {
            writeLock.lock();
            try {
                ensureOpen();
                refreshIndex();
            } catch (SQLException e) {
                throw failure("read the queue", e);
            } finally {
                writeLock.unlock();
                wakeNextEnqueuer();
            }
        }
        synchronized (queueIndex) {
            return queueIndex.place(job.priority(), job.sequence());
        }
    }

    @Override
    public String describe() {
        return "sqlite:" + file;
    }

    /** Closes every connection; later calls throw {@link SqliteStoreException}. Idempotent. */
    @Override
    public void close() {
        writeLock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            closeAll(writer, readers);
            fileLock.release();
        } finally {
            writeLock.unlock();
            // Submitters still waiting learn at once that their job was not stored.
            for (PendingEnqueue waiting : pendingEnqueues) {
                LockSupport.unpark(waiting.waiter);
            }
        }
    }

    // ---------------------------------------------------------------- machinery

    @FunctionalInterface
    private interface Work<T> {
        T run(CachedConnection c) throws SQLException;
    }

    /** Runs {@code work} in one immediate transaction on the writer; commits (fsync) before returning. */
    private <T> T write(String what, Work<T> work) {
        writeLock.lock();
        try {
            ensureOpen();
            begin();
            boolean committed = false;
            try {
                T out = work.run(writer);
                commit();
                committed = true;
                return out;
            } finally {
                if (!committed) {
                    rollback();
                }
            }
        } catch (SQLException e) {
            throw failure(what, e);
        } finally {
            writeLock.unlock();
            wakeNextEnqueuer();
        }
    }

    /** Opens a write transaction with the index up to date. Caller holds the write lock. */
    private void begin() throws SQLException {
        onCommit.clear();
        writer.prepare("BEGIN IMMEDIATE").execute();
        // Nobody else can write until this transaction ends, so what the index is checked against now holds.
        refreshIndex();
    }

    /**
     * Commits, then applies the transaction's index changes. A COMMIT that fails may or may not
     * have reached the file: the index is rebuilt from the table before it is used again.
     */
    private void commit() throws SQLException {
        try {
            writer.prepare("COMMIT").execute();
        } catch (SQLException | RuntimeException e) {
            onCommit.clear();
            indexStale = true;
            throw e;
        }
        synchronized (queueIndex) {
            for (Runnable change : onCommit) {
                change.run();
            }
        }
        onCommit.clear();
    }

    private void rollback() {
        onCommit.clear();
        try {
            writer.prepare("ROLLBACK").execute();
        } catch (SQLException e) {
            // SQLite already rolled back on its own (a failed COMMIT, an I/O error): nothing left to undo.
            log.debug("Job store {}: rollback: {}", file, e.getMessage());
        }
    }

    /**
     * Rebuilds the run-order index from the table when it may be wrong: after a failed commit, or,
     * on a shared store, when another connection wrote to the file since the index was last right.
     * The writer's {@code PRAGMA data_version} changes exactly when another connection commits (its
     * own commits leave it alone). Caller holds the write lock.
     */
    private void refreshIndex() throws SQLException {
        long version = -1;
        if (access == Access.SHARED) {
            try (ResultSet rs = writer.prepare("PRAGMA data_version").executeQuery()) {
                version = rs.next() ? rs.getLong(1) : -1;
            }
            if (version != indexDataVersion) {
                indexStale = true;
            }
        }
        if (!indexStale) {
            return;
        }
        RunOrderIndex<String> fresh = new RunOrderIndex<>();
        try (ResultSet rs = writer.prepare(QUEUED_KEYS).executeQuery()) {
            while (rs.next()) {
                fresh.add(rs.getInt(2), rs.getLong(3), rs.getLong(4), rs.getString(1));
            }
        }
        synchronized (queueIndex) {
            queueIndex.replaceWith(fresh);
        }
        indexDataVersion = version;
        indexStale = false;
    }

    private <T> T read(String what, Work<T> work) {
        CachedConnection c = checkoutReader();
        try {
            return work.run(c);
        } catch (SQLException e) {
            throw failure(what, e);
        } finally {
            readers.add(c);
            if (closed) {
                // close() may have drained the pool while this connection was out
                drainReaders(readers);
            }
        }
    }

    private CachedConnection checkoutReader() {
        boolean interrupted = false;
        try {
            while (true) {
                ensureOpen();
                try {
                    CachedConnection c = readers.poll(100, TimeUnit.MILLISECONDS);
                    if (c != null && closed) {
                        // Handed back by a read that ended after close(): it must not run another query.
                        closeQuietly(c);
                        ensureOpen();
                    }
                    if (c != null) {
                        return c;
                    }
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new SqliteStoreException(file, "The job store " + file + " is closed", null);
        }
    }

    private SqliteStoreException failure(String what, SQLException e) {
        return new SqliteStoreException(file, "Job store " + file + ": could not " + what + ": " + e.getMessage(), e);
    }

    private static JobRecord byId(CachedConnection c, String jobId) throws SQLException {
        PreparedStatement ps = c.prepare(BY_ID);
        ps.setString(1, jobId);
        return queryOne(ps);
    }

    private static void update(CachedConnection c, JobRecord r) throws SQLException {
        PreparedStatement ps = c.prepare(JobRows.UPDATE);
        JobRows.bindUpdate(ps, r);
        ps.executeUpdate();
    }

    private static long countOf(CachedConnection c, JobStatus status) throws SQLException {
        PreparedStatement ps = c.prepare("SELECT jobs FROM status_counts WHERE status = ?");
        ps.setString(1, status.name());
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    private static long counterValue(CachedConnection c, String counter) throws SQLException {
        PreparedStatement select = c.prepare("SELECT next_value FROM counters WHERE name = ?");
        select.setString(1, counter);
        try (ResultSet rs = select.executeQuery()) {
            if (!rs.next()) {
                throw new SQLException("counter '" + counter + "' is missing");
            }
            return rs.getLong(1);
        }
    }

    private static void setCounter(CachedConnection c, String counter, long nextValue) throws SQLException {
        PreparedStatement bump = c.prepare("UPDATE counters SET next_value = ? WHERE name = ?");
        bump.setLong(1, nextValue);
        bump.setString(2, counter);
        bump.executeUpdate();
    }

    /** Hands out the counter's value and advances it, inside the caller's transaction. */
    private static long nextValue(CachedConnection c, String counter) throws SQLException {
        PreparedStatement select = c.prepare("SELECT next_value FROM counters WHERE name = ?");
        select.setString(1, counter);
        long value;
        try (ResultSet rs = select.executeQuery()) {
            if (!rs.next()) {
                throw new SQLException("counter '" + counter + "' is missing");
            }
            value = rs.getLong(1);
        }
        PreparedStatement bump = c.prepare("UPDATE counters SET next_value = ? WHERE name = ?");
        bump.setLong(1, value + 1);
        bump.setString(2, counter);
        bump.executeUpdate();
        return value;
    }

    private static JobRecord queryOne(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? JobRows.read(rs) : null;
        }
    }

    private static List<JobRecord> queryAll(PreparedStatement ps) throws SQLException {
        List<JobRecord> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(JobRows.read(rs));
            }
        }
        return out;
    }

    private static void closeAll(CachedConnection writer, BlockingQueue<CachedConnection> readers) {
        drainReaders(readers);
        closeQuietly(writer);
    }

    private static void drainReaders(BlockingQueue<CachedConnection> readers) {
        CachedConnection r;
        while ((r = readers.poll()) != null) {
            closeQuietly(r);
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            log.warn("Closing a job store connection failed: {}", e.getMessage());
        }
    }
}
