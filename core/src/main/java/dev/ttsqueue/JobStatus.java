package dev.ttsqueue;

import java.util.Locale;

/** Life cycle: {@code QUEUED -> PROCESSING -> COMPLETED | FAILED}, and {@code CANCELLED} from either. */
public enum JobStatus {
    QUEUED,
    PROCESSING,
    COMPLETED,
    FAILED,
    CANCELLED;

    /** True for the states a job never leaves. */
    public boolean isTerminal() {
        return this == COMPLETED || this == FAILED || this == CANCELLED;
    }

    /** The name used on the wire: {@code queued}, {@code processing}, ... */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
