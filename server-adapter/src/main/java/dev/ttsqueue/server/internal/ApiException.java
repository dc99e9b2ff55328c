package dev.ttsqueue.server.internal;

import dev.ttsqueue.TtsQueueException;

/**
 * An HTTP error with a FastAPI-shaped body {@code {"detail": message}}. Thrown by resources for
 * conditions the core API has no exception for (a missing voice bank, a bad upload).
 */
public final class ApiException extends TtsQueueException {
    private static final long serialVersionUID = 1L;
    private final int status;
    private final long retryAfterSeconds;

    public ApiException(int status, String detail) {
        this(status, detail, 0);
    }

    /** An error whose answer carries {@code Retry-After: retryAfterSeconds} (none when 0). */
    public ApiException(int status, String detail, long retryAfterSeconds) {
        super(detail);
        this.status = status;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public int status() {
        return status;
    }

    /** Seconds the client should wait before trying again; 0 when the answer says nothing of it. */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    public static ApiException badRequest(String detail) {
        return new ApiException(400, detail);
    }

    public static ApiException notFound(String detail) {
        return new ApiException(404, detail);
    }
}
