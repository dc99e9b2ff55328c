package dev.ttsqueue.audio;

import dev.ttsqueue.TtsQueueException;

/** Audio bytes that cannot be decoded; the message says what is wrong with them. */
public class AudioFormatException extends TtsQueueException {
    private static final long serialVersionUID = 1L;

    public AudioFormatException(String message) {
        super(message);
    }

    public AudioFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
