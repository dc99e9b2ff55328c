package dev.ttsqueue.store.sqlite;

import java.nio.file.Path;

/**
 * Thrown when opening a job store whose file another store holds in a mode that excludes this one:
 * an exclusive open while any other store has the file open, or any open while one holds it
 * exclusively. The other store may be in this process or another; nothing was changed.
 */
public class StoreInUseException extends SqliteStoreException {
    private static final long serialVersionUID = 1L;

    public StoreInUseException(Path file, String message) {
        super(file, message, null);
    }
}
