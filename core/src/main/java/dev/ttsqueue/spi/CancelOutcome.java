package dev.ttsqueue.spi;

/** What {@link JobStore#requestCancel} did. */
public enum CancelOutcome {
    /** No such job. */
    NOT_FOUND,
    /** It was queued and is now cancelled; it will never start. */
    CANCELLED,
    /** It is processing; the flag is set and its worker stops at its next step. */
    CANCEL_REQUESTED,
    /** It had already finished; nothing changed. */
    ALREADY_FINISHED
}
