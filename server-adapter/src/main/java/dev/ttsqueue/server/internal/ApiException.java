package dev.ttsqueue.server.internal;

import dev.ttsqueue.TtsQueueException;

/**
 * An HTTP error with a FastAPI-shaped body {@code {"detail": message}}. Thrown by resources for
 * conditions the core API has no exception for (a missing voice bank, a bad upload).
 */
public final class ApiException extends TtsQueueException {
    private static final long serialVersionUID = 1L;
    private final int status;

    public ApiException(int status, String detail) {
        super(detail);
        this.status = status;
    }

    public int status() {
        return status;
    }

    public static ApiException badRequest(String detail) {
        return new ApiException(400, detail);
    }

    public static ApiException notFound(String detail) {
        return new ApiException(404, detail);
    }
}
