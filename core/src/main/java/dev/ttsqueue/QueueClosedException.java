package dev.ttsqueue;

/** The queue is closed (or closing) and takes no more jobs. */
public class QueueClosedException extends TtsQueueException {
    private static final long serialVersionUID = 1L;

    public QueueClosedException(String message) {
        super(message);
    }
}
