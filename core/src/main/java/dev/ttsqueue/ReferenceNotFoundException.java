package dev.ttsqueue;

/**
 * The reference a job names (an uploaded clip or a voice) does not exist or has expired (HTTP 404).
 * {@link #reason()} says which, so that callers can word the answer their own clients expect.
 */
public class ReferenceNotFoundException extends TtsQueueException {
    private static final long serialVersionUID = 1L;

    /** What was missing. */
    public enum Reason {
        /** No uploaded clip has the id. */
        AUDIO_FILE_NOT_FOUND,
        /** The uploaded clip existed but its time is up. */
        AUDIO_FILE_EXPIRED,
        /** No voice in the voice bank has the name. */
        VOICE_NOT_FOUND
    }

    private final Reason reason;

    /** A missing reference whose kind the thrower does not say ({@link #reason()} is null). */
    public ReferenceNotFoundException(String message) {
        this(null, message);
    }

    public ReferenceNotFoundException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    /** What was missing; null when the thrower did not say. */
    public Reason reason() {
        return reason;
    }
}
