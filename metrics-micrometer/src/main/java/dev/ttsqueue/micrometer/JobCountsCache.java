package dev.ttsqueue.micrometer;

import dev.ttsqueue.JobStatus;
import dev.ttsqueue.TtsJobQueue;
import io.micrometer.core.instrument.Clock;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The queue's job counts, read at most once per {@link #MAX_AGE_MILLIS}: one scrape reads the
 * queue depth and every state's gauge, and a shared store (Redis) should be asked once for all of
 * them, not once per series. {@link TtsJobQueue#jobCounts()} lists no job, so a read costs the
 * same at any queue length.
 */
final class JobCountsCache {
    static final long MAX_AGE_MILLIS = 1_000;

    private final TtsJobQueue queue;
    private final Clock clock;
    private Map<JobStatus, Long> counts;
    private long readAt;

    JobCountsCache(TtsJobQueue queue, Clock clock) {
        this.queue = queue;
        this.clock = clock;
    }

    /** Jobs in {@code state}, or NaN when the store cannot be read just now (a gauge shows no value then). */
    double count(JobStatus state) {
        Map<JobStatus, Long> c = counts();
        return c == null ? Double.NaN : c.getOrDefault(state, 0L);
    }

    private synchronized Map<JobStatus, Long> counts() {
        long now = clock.monotonicTime();
        if (counts == null || now - readAt >= TimeUnit.MILLISECONDS.toNanos(MAX_AGE_MILLIS)) {
            try {
                counts = queue.jobCounts();
                readAt = now;
            } catch (RuntimeException e) {
                // A shared store out of reach: no stale number is shown as current. Asked again next scrape.
                counts = null;
            }
        }
        return counts;
    }
}
