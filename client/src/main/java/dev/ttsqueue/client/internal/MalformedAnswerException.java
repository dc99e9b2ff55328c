package dev.ttsqueue.client.internal;

/**
 * An answer that is not what the REST API promises. Never reaches a caller as such: the calls
 * turn it into a {@link dev.ttsqueue.client.ServerResponseException} that carries the status.
 */
public final class MalformedAnswerException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public MalformedAnswerException(String message) {
        super(message);
    }
}
