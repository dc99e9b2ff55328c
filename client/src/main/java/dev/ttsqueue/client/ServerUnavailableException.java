package dev.ttsqueue.client;

import dev.ttsqueue.TtsQueueException;

/**
 * The server could not be reached, or dropped the connection before it answered. Nothing is
 * known about what the request did: a submit may or may not have queued its job (look for it with
 * {@link TtsQueueClient#list}). Also completes a job's result future when its event stream could
 * not be reopened within {@link TtsQueueClient.Builder#reconnectFor}; the job may still be running.
 */
public class ServerUnavailableException extends TtsQueueException {
    private static final long serialVersionUID = 1L;

    public ServerUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
