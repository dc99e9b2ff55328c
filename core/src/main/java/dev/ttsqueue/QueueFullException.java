package dev.ttsqueue;

import java.time.Duration;

/** The queue already holds {@code maxQueueSize} queued jobs; try again later (HTTP 429). */
public class QueueFullException extends TtsQueueException {
    private static final long serialVersionUID = 1L;
    private final int maxQueueSize;
    private final Duration retryAfter;

    public QueueFullException(int maxQueueSize, Duration retryAfter) {
        super("Queue is full (" + maxQueueSize + " jobs waiting); retry later");
        this.maxQueueSize = maxQueueSize;
        this.retryAfter = retryAfter;
    }

    public int maxQueueSize() {
        return maxQueueSize;
    }

    /** A hint for the client: roughly when a place should be free. Never null. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
