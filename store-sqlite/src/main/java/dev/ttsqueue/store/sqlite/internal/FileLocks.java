package dev.ttsqueue.store.sqlite.internal;

import dev.ttsqueue.store.sqlite.SqliteStoreException;
import dev.ttsqueue.store.sqlite.StoreInUseException;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Shared and exclusive locks on {@code <database>.lock}, across processes (an OS file lock, which
 * the OS drops when a process dies) and within this one (the JVM refuses two overlapping locks on
 * one file even when both are shared, so stores of one process share a single OS lock here).
 *
 * <p>The lock is on a file of its own, never on the database: SQLite locks the database file with
 * the same kind of POSIX lock, and closing any other descriptor of that file would drop SQLite's.
 * For the same reason this class never opens and closes a descriptor of a lock file this process
 * already locks: locks held here are found by the file's identity (device and inode where the
 * file system has them, else its real path), so another spelling of the path (a symbolic link,
 * a bind mount, a different letter case) finds the same entry instead of a second descriptor.
 */
public final class FileLocks {
    private FileLocks() {
    }

    /** Locks this process holds, by lock file identity; guarded by the class. */
    private static final Map<Object, Entry> HELD = new HashMap<>();
    /**
     * Descriptors that found their file locked by other code of this JVM: closing them would drop
     * that code's lock, so they stay open for the life of the process. Guarded by the class.
     */
    private static final List<FileChannel> KEPT_OPEN = new ArrayList<>();

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
    public static final class Held {
        private final Object key;
        private boolean released;

        private Held(Object key) {
            this.key = key;
        }

        public void release() {
            synchronized (FileLocks.class) {
                if (released) {
                    return;
                }
                released = true;
                Entry e = HELD.get(key);
                if (e != null && --e.users == 0) {
                    HELD.remove(key);
                    try {
                        e.lock.release();
                    } catch (IOException ignored) {
                        // Closing the channel below drops the lock whatever went wrong here.
                    } finally {
                        try {
                            e.channel.close();
                        } catch (IOException ignored) {
                            // nothing left to release
                        }
                    }
                }
            }
        }
    }

    public static Path lockFileOf(Path dbFile) {
        return dbFile.resolveSibling(dbFile.getFileName() + ".lock");
    }

    /**
     * Takes the lock of {@code dbFile} (absolute, normalized), shared or exclusive.
     *
     * @throws StoreInUseException when another store holds it in a mode that excludes this one
     * @throws SqliteStoreException when the lock file cannot be created or locked
     */
    public static Held acquire(Path dbFile, boolean exclusive) {
        Path lockFile = lockFileOf(dbFile);
        synchronized (FileLocks.class) {
            Object key;
            try {
                try {
                    // A new file cannot be locked by anyone yet, so opening and closing it is harmless.
                    Files.createFile(lockFile);
                } catch (FileAlreadyExistsException exists) {
                    // the usual case
                }
                key = identity(lockFile);
            } catch (IOException e) {
                throw new SqliteStoreException(dbFile, "Cannot create the lock file " + lockFile + " of the job store: " + e, e);
            }
            Entry mine = HELD.get(key);
            if (mine != null) {
                if (exclusive || mine.exclusive) {
                    throw inUse(dbFile, exclusive, "another store in this process");
                }
                mine.users++;
                return new Held(key);
            }
            FileChannel channel;
            try {
                channel = FileChannel.open(lockFile, StandardOpenOption.READ, StandardOpenOption.WRITE);
            } catch (IOException e) {
                throw new SqliteStoreException(dbFile, "Cannot open the lock file " + lockFile + " of the job store: " + e, e);
            }
            FileLock lock;
            try {
                lock = channel.tryLock(0, Long.MAX_VALUE, !exclusive);
            } catch (OverlappingFileLockException e) {
                // Code of this JVM outside this class locks the file: keep the descriptor open, as
                // closing it would drop that lock, and refuse.
                KEPT_OPEN.add(channel);
                throw inUse(dbFile, exclusive, "other code of this process");
            } catch (IOException e) {
                closeQuietly(channel);
                throw new SqliteStoreException(dbFile, "Cannot lock " + lockFile + ": " + e, e);
            }
            if (lock == null) {
                // Another process holds it; this process holds no lock on the file, so closing is safe.
                closeQuietly(channel);
                throw inUse(dbFile, exclusive, "another process");
            }
            Entry e = new Entry(channel, lock, exclusive);
            e.users = 1;
            HELD.put(key, e);
            return new Held(key);
        }
    }

    /** The file's identity without opening it: device and inode where available, else its real path. */
    private static Object identity(Path file) throws IOException {
        Object fileKey = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
        return fileKey != null ? fileKey : file.toRealPath();
    }

    private static StoreInUseException inUse(Path dbFile, boolean wantExclusive, String who) {
        String message = wantExclusive
                ? "The job store " + dbFile + " is open in " + who + "; it cannot be opened for exclusive use until that one closes it"
                : "The job store " + dbFile + " is open for exclusive use in " + who + "; it cannot be opened until that one closes it";
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
