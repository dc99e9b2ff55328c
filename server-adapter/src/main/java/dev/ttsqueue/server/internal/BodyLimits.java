package dev.ttsqueue.server.internal;

import java.util.Locale;

/**
 * What a request body may be while it arrives ({@link BodyArrivalHandler}).
 *
 * @param maxUploadBytes largest multipart body (uploads, whose files go to disk)
 * @param maxOtherBytes largest other body (JSON, URL-encoded forms: read whole into memory)
 * @param minBytesPerSecond slowest pace accepted once {@code graceSeconds} of credit are used up; 0 for any
 * @param graceSeconds credit a body gets from its first byte before the pace counts
 * @param memoryBytes bodies held in memory at once, across requests; beyond it they wait in spool files
 * @param spoolBytes bytes of bodies waiting in memory and on disk at once, across requests; beyond
 *     it a body is refused with 503 and {@code Retry-After}
 */
public record BodyLimits(long maxUploadBytes, long maxOtherBytes, long minBytesPerSecond, long graceSeconds,
        long memoryBytes, long spoolBytes) {

    public BodyLimits {
        maxOtherBytes = Math.min(maxUploadBytes, maxOtherBytes);
    }

    /** The largest body for a request of this {@code Content-Type} (null when it has none). */
    public long maxBytesFor(String contentType) {
        boolean multipart = contentType != null
                && contentType.trim().toLowerCase(Locale.ROOT).startsWith("multipart/form-data");
        return multipart ? maxUploadBytes : maxOtherBytes;
    }

    /**
     * Whether {@code count} bytes {@code seconds} after the first one are behind the minimum pace.
     * The grace is credit, not a window: a burst after a pause counts in full.
     */
    public boolean tooSlow(long count, double seconds) {
        return minBytesPerSecond > 0 && count < minBytesPerSecond * (seconds - graceSeconds);
    }
}
