package dev.ttsqueue.store.sqlite.internal;

import dev.ttsqueue.store.sqlite.SqliteStoreException;
import dev.ttsqueue.store.sqlite.UnusableDatabaseException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * Opening a database file as a job store: the path resolved, the folder made, the lock file taken,
 * the file checked before anything writes to it (not SQLite, damaged, another program's, a newer
 * layout: refused and left untouched), WAL with {@code synchronous=FULL}, the layout migrated, the
 * read connections opened and the queue mirror built.
 */
public final class DatabaseFile {
    private static final Logger log = LoggerFactory.getLogger(DatabaseFile.class);
    /** How long a write waits for another process's transaction before failing. */
    private static final int BUSY_TIMEOUT_MS = 10_000;

    private DatabaseFile() {
    }

    /**
     * Opens or creates the store's database in {@code dbFile}.
     *
     * @param exclusive take the lock file exclusively (no other store may have the file open)
     * @param readers read connections to keep open, at least 1
     */
    public static Database open(Path dbFile, boolean exclusive, int readers) {
        Path file = realPath(dbFile.toAbsolutePath().normalize());
        prepareFolder(file);
        FileLocks.Held lock = FileLocks.acquire(file, exclusive);
        try {
            return openLocked(file, exclusive, lock, readers);
        } catch (RuntimeException | Error e) {
            lock.release();
            throw e;
        }
    }

    private static Database openLocked(Path file, boolean exclusive, FileLocks.Held lock, int readers) {
        CachedConnection writer = new CachedConnection(openWriter(file));
        BlockingQueue<CachedConnection> pool = new ArrayBlockingQueue<>(readers);
        try {
            for (int i = 0; i < readers; i++) {
                Connection c = connect(file);
                try (Statement st = c.createStatement()) {
                    st.execute("PRAGMA query_only = 1");
                } catch (SQLException e) {
                    Database.closeQuietly(c);
                    throw e;
                }
                pool.add(new CachedConnection(c));
            }
        } catch (SQLException e) {
            Database.closeAll(writer, pool);
            throw new SqliteStoreException(file, "Cannot open read connections to the job store " + file + ": "
                    + e.getMessage(), e);
        }
        QueueMirror mirror = new QueueMirror(!exclusive);
        try {
            mirror.refresh(writer);
        } catch (SQLException e) {
            Database.closeAll(writer, pool);
            throw new SqliteStoreException(file, "Cannot read the queue of the job store " + file + ": " + e.getMessage(), e);
        }
        return new Database(file, lock, writer, pool, mirror);
    }

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
                // Every commit is on disk before the write returns: an acknowledged job survives a
                // power cut. NORMAL would skip the WAL sync and could lose the last commits then.
                st.execute("PRAGMA synchronous = FULL");
            }
            List<Integer> applied = Schema.migrate(c);
            if (!applied.isEmpty()) {
                log.info("Job store {}: layout migrated from version {} to {}", file, found.userVersion(), Schema.CURRENT_VERSION);
            }
            log.info("Job store {} opened (layout version {}, WAL, synchronous=FULL)", file, Schema.CURRENT_VERSION);
            return c;
        } catch (SQLException e) {
            Database.closeQuietly(c);
            throw new SqliteStoreException(file, "Cannot prepare the job store " + file + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            Database.closeQuietly(c);
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
        // No statement asks for generated keys; without this the driver runs a second query after
        // every insert and update to have them ready.
        config.setGetGeneratedKeys(false);
        return DriverManager.getConnection("jdbc:sqlite:" + file, config.toProperties());
    }
}
