package dev.ttsqueue.client.internal;

import java.time.Duration;

/**
 * How a job's event stream reconnects.
 *
 * @param firstRetryDelay pause before the first attempt after a stream broke; doubled per
 *     failed attempt up to {@code maxRetryDelay}
 * @param maxRetryDelay longest pause between attempts
 * @param reconnectFor how long attempts go on without one event arriving before the stream is
 *     given up
 * @param silenceTimeout a stream silent this long (the server sends a comment every 15 s) is
 *     taken as broken and reopened
 */
public record StreamSettings(Duration firstRetryDelay, Duration maxRetryDelay, Duration reconnectFor, Duration silenceTimeout) {
}
