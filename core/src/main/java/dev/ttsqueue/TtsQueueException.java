package dev.ttsqueue;

/**
 * Root of every exception this library throws on purpose. Messages are written for the person
 * who has to act on them.
 */
public class TtsQueueException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TtsQueueException(String message) {
        super(message);
    }

    public TtsQueueException(String message, Throwable cause) {
        super(message, cause);
    }
}
