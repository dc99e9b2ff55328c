package dev.ttsqueue.inference.whisper;

import dev.ttsqueue.TtsQueueException;

/**
 * The Whisper model folder cannot be used: a file is missing or unreadable, a model's inputs and
 * outputs do not match the export layout (names, element types, ranks), the tokenizer lacks a token
 * Whisper needs, or CUDA was required and cannot start. The message names every problem found.
 */
public class WhisperModelException extends TtsQueueException {
    private static final long serialVersionUID = 1L;

    public WhisperModelException(String message) {
        super(message);
    }

    public WhisperModelException(String message, Throwable cause) {
        super(message, cause);
    }
}
