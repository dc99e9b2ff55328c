package dev.ttsqueue.spi;

/**
 * How many of one tenant's jobs wait and run, from counters the store keeps (never a count over
 * the jobs): what a per-tenant quota is checked against.
 *
 * @param queued jobs {@code QUEUED}
 * @param processing jobs {@code PROCESSING}
 */
public record TenantCounts(long queued, long processing) {

    public static final TenantCounts NONE = new TenantCounts(0, 0);

    /** Jobs waiting or running. */
    public long active() {
        return queued + processing;
    }
}
