package dev.ttsqueue.store.sqlite;

import java.nio.file.Path;

/**
 * Thrown at start-up when the database file exists but cannot be used as a job store: it is not an
 * SQLite database, it is damaged, it belongs to another program, or a newer version of this
 * library wrote it. The file is left exactly as it was; the operator decides what to do with it
 * (restore a backup, move it away, upgrade).
 */
public class UnusableDatabaseException extends SqliteStoreException {
    private static final long serialVersionUID = 1L;

    public UnusableDatabaseException(Path file, String message, Throwable cause) {
        super(file, message, cause);
    }
}
