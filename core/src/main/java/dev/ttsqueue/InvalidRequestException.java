package dev.ttsqueue;

/**
 * A request was refused before it was queued: a value out of range, empty text, an unknown voice
 * or an NFE step the backend does not have. The message is the one the REST API returns with 400.
 */
public class InvalidRequestException extends TtsQueueException {
    private static final long serialVersionUID = 1L;

    public InvalidRequestException(String message) {
        super(message);
    }
}
