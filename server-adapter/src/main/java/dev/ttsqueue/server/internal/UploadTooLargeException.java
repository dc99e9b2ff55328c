package dev.ttsqueue.server.internal;

import java.io.IOException;

/**
 * A request body grew past the configured limit while it was being read. An IOException, so it
 * travels through body readers (multipart, WAV decoding) unchanged or as a cause; the error
 * mapper finds it in the cause chain and answers 413.
 */
public final class UploadTooLargeException extends IOException {
    private static final long serialVersionUID = 1L;

    public UploadTooLargeException(long limit) {
        super(message(limit));
    }

    /** The answer's words for a body over {@code limit} bytes. */
    public static String message(long limit) {
        return "Request body too large: the limit is " + limit + " bytes";
    }
}
