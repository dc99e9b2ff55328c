package dev.ttsqueue;

/** The reference a job names (an uploaded clip or a voice) does not exist or has expired (HTTP 404). */
public class ReferenceNotFoundException extends TtsQueueException {
    private static final long serialVersionUID = 1L;

    public ReferenceNotFoundException(String message) {
        super(message);
    }
}
