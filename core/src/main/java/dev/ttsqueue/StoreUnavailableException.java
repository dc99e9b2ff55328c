package dev.ttsqueue;

/**
 * The job store (or the audio store or voice bank beside it) cannot be reached just now: a
 * database server that is down or out of reach. Nothing was written by the call that threw,
 * unless the store says otherwise for that call; try again once the store is back (the REST
 * server answers 503). Stores in the process, such as the in-memory and SQLite ones, never
 * throw it.
 */
public class StoreUnavailableException extends TtsQueueException {
    private static final long serialVersionUID = 1L;

    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
