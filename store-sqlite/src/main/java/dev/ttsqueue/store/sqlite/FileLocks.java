package dev.ttsqueue.store.sqlite;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;

/**
 * Shared and exclusive locks on {@code <database>.lock}, across processes (an OS file lock, which
 * the OS drops when a process dies) and within this one (the JVM refuses two overlapping locks on
 * one file even when both are shared, so stores of one process share a single OS lock here).
 *
 * <p>The lock is on a file of its own, never on the database: SQLite locks the database file with
 * the same kind of POSIX lock, and closing any other descriptor of that file would drop SQLite's.
 */
final class FileLocks {
    private FileLocks() {
    }

    /** Locks this process holds, by lock file; guarded by the class. */
    private static final Map<Path, Entry> HELD = new HashMap<>();

    private static final class Entry {
        final FileChannel channel;
        final FileLock lock;
        final boolean exclusive;
        int users;

        Entry(FileChannel channel, FileLock lock, boolean exclusive) {
            this.channel = channel;
            this.lock = lock;
            this.exclusive = exclusive;
        }
    }

    /** One store's hold on the lock; {@link #release()} is idempotent. */
    static final class Held {
        private final Path lockFile;
        private boolean released;

        private Held(Path lockFile) {
            this.lockFile = lockFile;
        }

        void release() {
            synchronized (FileLocks.class) {
                if (released) {
                    return;
                }
                released = true;
                Entry e = HELD.get(lockFile);
                if (e != null && --e.users == 0) {
                    HELD.remove(lockFile);
                    try {
                        e.lock.release();
                        e.channel.close();
                    } catch (IOException ignored) {
                        // Closing the channel drops the lock whatever went wrong releasing it.
                    }
                }
            }
        }
    }

    static Path lockFileOf(Path dbFile) {
        return dbFile.resolveSibling(dbFile.getFileName() + ".lock");
    }

    /**
     * Takes the lock of {@code dbFile} (absolute, normalized), shared or exclusive.
     *
     * @throws StoreInUseException when another store holds it in a mode that excludes this one
     * @throws SqliteStoreException when the lock file cannot be created or locked
     */
    static Held acquire(Path dbFile, boolean exclusive) {
        Path lockFile = lockFileOf(dbFile);
        synchronized (FileLocks.class) {
            Entry mine = HELD.get(lockFile);
            if (mine != null) {
                if (exclusive || mine.exclusive) {
                    throw inUse(dbFile, exclusive, mine.exclusive, "another store in this process");
                }
                mine.users++;
                return new Held(lockFile);
            }
            FileChannel channel;
            try {
                channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            } catch (IOException e) {
                throw new SqliteStoreException(dbFile, "Cannot create the lock file " + lockFile + " of the job store: " + e, e);
            }
            FileLock lock;
            try {
                lock = channel.tryLock(0, Long.MAX_VALUE, !exclusive);
            } catch (IOException | OverlappingFileLockException e) {
                closeQuietly(channel);
                throw new SqliteStoreException(dbFile, "Cannot lock " + lockFile + ": " + e, e);
            }
            if (lock == null) {
                closeQuietly(channel);
                throw inUse(dbFile, exclusive, !exclusive, "another process");
            }
            Entry e = new Entry(channel, lock, exclusive);
            e.users = 1;
            HELD.put(lockFile, e);
            return new Held(lockFile);
        }
    }

    private static StoreInUseException inUse(Path dbFile, boolean wantExclusive, boolean heldExclusive, String who) {
        String message = wantExclusive
                ? "The job store " + dbFile + " is open in " + who + "; it cannot be opened for exclusive use until that one closes it"
                : "The job store " + dbFile + " is open for exclusive use in " + who + "; it cannot be shared until that one closes it";
        if (!wantExclusive && !heldExclusive) {
            // A shared lock refused by the OS means some process holds it exclusively.
            message = "The job store " + dbFile + " is open for exclusive use in " + who;
        }
        return new StoreInUseException(dbFile, message);
    }

    private static void closeQuietly(FileChannel c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // nothing left to release
        }
    }
}
