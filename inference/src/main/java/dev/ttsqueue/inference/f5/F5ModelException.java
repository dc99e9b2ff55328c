package dev.ttsqueue.inference.f5;

import dev.ttsqueue.TtsQueueException;

/**
 * The F5 model directory cannot be used: a file is missing, unreadable, or a model's inputs and
 * outputs do not match the F5-TTS ONNX export (names, element types, ranks), or the requested
 * execution provider cannot start. The message names every problem found.
 */
public class F5ModelException extends TtsQueueException {
    private static final long serialVersionUID = 1L;

    public F5ModelException(String message) {
        super(message);
    }

    public F5ModelException(String message, Throwable cause) {
        super(message, cause);
    }
}
