package dev.ttsqueue.client;

import dev.ttsqueue.TtsQueueException;

/**
 * The server answered with an error the queue's API has no exception type for: 401 (a missing
 * or wrong API key), 500, 501 (no voice bank), 503 {@code Models not loaded}, or a status this
 * client does not know. The message is the server's {@code detail}, prefixed with the status.
 */
public class ServerResponseException extends TtsQueueException {
    private static final long serialVersionUID = 1L;
    private final int statusCode;
    private final String detail;

    public ServerResponseException(int statusCode, String detail) {
        super("HTTP " + statusCode + ": " + detail);
        this.statusCode = statusCode;
        this.detail = detail;
    }

    /** The HTTP status of the answer. */
    public int statusCode() {
        return statusCode;
    }

    /** The server's message ({@code detail} of its JSON body, or the body itself). */
    public String detail() {
        return detail;
    }
}
