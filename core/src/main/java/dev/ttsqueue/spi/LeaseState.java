package dev.ttsqueue.spi;

/** What a store answers to a lease renewal or progress write. */
public enum LeaseState {
    /** The caller still holds the job. */
    HELD,
    /** The caller still holds the job, and someone asked to cancel it: stop at the next step. */
    CANCEL_REQUESTED,
    /** The lease expired and the job went to another claim, or the job is gone: stop and write nothing. */
    LOST
}
