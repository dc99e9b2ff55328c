package dev.ttsqueue.server.internal;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Heap that reference decoding may take at once, across requests: an upload is read, decoded to
 * samples and stored while it holds its share, and one that cannot get its share within the wait
 * is refused with 503 and {@code Retry-After} instead of running the JVM out of memory (forty
 * parallel 50 MB uploads once did, and answered 500). Shared by every server in the JVM, since
 * the heap is. Counted in KiB, so budgets past 2 GiB fit a semaphore.
 */
final class DecodeBudget {
    /** Share of the maximum heap reference decoding may use. */
    static final double HEAP_SHARE = 0.4;
    /** How long a request waits for its share before it is refused. */
    static final long WAIT_SECONDS = 10;
    /** What a refused request is told to wait before it tries again. */
    static final long RETRY_AFTER_SECONDS = 5;

    private static final DecodeBudget JVM = new DecodeBudget((long) (Runtime.getRuntime().maxMemory() * HEAP_SHARE));

    private final Semaphore kib;
    private final int totalKib;

    DecodeBudget(long bytes) {
        this.totalKib = (int) Math.max(1, Math.min(Integer.MAX_VALUE, bytes >> 10));
        this.kib = new Semaphore(totalKib, true);
    }

    static DecodeBudget jvm() {
        return JVM;
    }

    /** Frees the share when closed. */
    interface Share extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Takes {@code bytes} of the budget (all of it when more is asked: such a request runs alone),
     * waiting up to {@link #WAIT_SECONDS} for others to finish.
     *
     * @throws ApiException 503 with {@code Retry-After} when the share does not come in time
     */
    Share take(long bytes) {
        int want = (int) Math.max(1, Math.min(totalKib, (bytes + 1023) >> 10));
        boolean got;
        try {
            got = kib.tryAcquire(want, WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            got = false;
        }
        if (!got) {
            throw new ApiException(503, "Too much audio is being decoded at once; try again shortly", RETRY_AFTER_SECONDS);
        }
        return () -> kib.release(want);
    }
}
