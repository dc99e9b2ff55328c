package dev.ttsqueue.store.sqlite.internal;

import dev.ttsqueue.store.sqlite.SqliteStoreException;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connections of one open store and how work runs on them: writes on one connection under a
 * lock, each in a {@code BEGIN IMMEDIATE} transaction that commits (and syncs) before the write
 * returns; reads on a small pool of read-only connections, never waiting for a write.
 */
public final class Database implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Database.class);

    /** Work on a connection. */
    @FunctionalInterface
    public interface Work<T> {
        T run(CachedConnection c) throws SQLException;
    }

    private final Path file;
    private final FileLocks.Held fileLock;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final CachedConnection writer;
    private final BlockingQueue<CachedConnection> readers;
    private final QueueMirror mirror;
    private volatile Runnable afterWriteUnlock = () -> { };
    private volatile boolean closed;

    Database(Path file, FileLocks.Held fileLock, CachedConnection writer, BlockingQueue<CachedConnection> readers, QueueMirror mirror) {
        this.file = file;
        this.fileLock = fileLock;
        this.writer = writer;
        this.readers = readers;
        this.mirror = mirror;
    }

    public Path file() {
        return file;
    }

    public QueueMirror mirror() {
        return mirror;
    }

    /** Runs after every release of the write lock (the group commit wakes its next leader there). */
    public void afterWriteUnlock(Runnable action) {
        this.afterWriteUnlock = action;
    }

    /** Runs {@code work} in one immediate transaction on the writer; commits (fsync) before returning. */
    public <T> T write(String what, Work<T> work) {
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
            unlockWrites();
        }
    }

    /** Runs {@code work} on the writer under the write lock, outside any transaction. */
    public <T> T withWriter(String what, Work<T> work) {
        writeLock.lock();
        try {
            ensureOpen();
            return work.run(writer);
        } catch (SQLException e) {
            throw failure(what, e);
        } finally {
            unlockWrites();
        }
    }

    /** Takes the write lock if it is free; then the caller owns {@link #writer()} until {@link #unlockWrites()}. */
    public boolean tryLockWrites() {
        return writeLock.tryLock();
    }

    public void lockWrites() {
        writeLock.lock();
    }

    public void unlockWrites() {
        writeLock.unlock();
        afterWriteUnlock.run();
    }

    /** The writer; only while holding the write lock. */
    public CachedConnection writer() {
        return writer;
    }

    /** Opens a write transaction with the queue mirror up to date. Caller holds the write lock. */
    public void begin() throws SQLException {
        mirror.began();
        writer.prepare("BEGIN IMMEDIATE").execute();
        // Nobody else can write until this transaction ends, so what the mirror is checked against now holds.
        mirror.refresh(writer);
    }

    /**
     * Commits, then applies the transaction's changes to the mirror. A COMMIT that fails may or may
     * not have reached the file: the mirror is rebuilt from the table before it is used again.
     */
    public void commit() throws SQLException {
        try {
            writer.prepare("COMMIT").execute();
        } catch (SQLException | RuntimeException e) {
            mirror.commitFailed();
            throw e;
        }
        mirror.committed();
    }

    public void rollback() {
        mirror.rolledBack();
        try {
            writer.prepare("ROLLBACK").execute();
        } catch (SQLException e) {
            // SQLite already rolled back on its own (a failed COMMIT, an I/O error): nothing left to undo.
            log.debug("Job store {}: rollback: {}", file, e.getMessage());
        }
    }

    /** Runs {@code work} on a read connection from the pool. */
    public <T> T read(String what, Work<T> work) {
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

    /** The writer's journal mode and {@code PRAGMA synchronous} (2 = FULL), for the test that pins them. */
    public List<Object> writerDurability() {
        return withWriter("read its settings", c -> {
            try (ResultSet mode = c.prepare("PRAGMA journal_mode").executeQuery();
                    ResultSet sync = c.prepare("PRAGMA synchronous").executeQuery()) {
                mode.next();
                sync.next();
                return List.of(mode.getString(1).toLowerCase(Locale.ROOT), sync.getInt(1));
            }
        });
    }

    public boolean isClosed() {
        return closed;
    }

    public void ensureOpen() {
        if (closed) {
            throw new SqliteStoreException(file, "The job store " + file + " is closed", null);
        }
    }

    public SqliteStoreException failure(String what, SQLException e) {
        return new SqliteStoreException(file, "Job store " + file + ": could not " + what + ": " + e.getMessage(), e);
    }

    /** Closes every connection and releases the file lock; idempotent. */
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
            unlockWrites();
        }
    }

    static void closeAll(CachedConnection writer, BlockingQueue<CachedConnection> readers) {
        drainReaders(readers);
        closeQuietly(writer);
    }

    private static void drainReaders(BlockingQueue<CachedConnection> readers) {
        CachedConnection r;
        while ((r = readers.poll()) != null) {
            closeQuietly(r);
        }
    }

    static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            log.warn("Closing a job store connection failed: {}", e.getMessage());
        }
    }
}
