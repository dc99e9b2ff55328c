package dev.ttsqueue.store.sqlite;

import dev.ttsqueue.TtsQueueException;
import java.nio.file.Path;

/** The SQLite job store could not read or write its database file. The message names the file. */
public class SqliteStoreException extends TtsQueueException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;

    public SqliteStoreException(Path file, String message, Throwable cause) {
        super(message, cause);
        this.file = file;
    }

    /** The database file concerned. */
    public Path file() {
        return file;
    }
}
