package dev.ttsqueue.spi;

import dev.ttsqueue.FairShare;

/**
 * The arithmetic of fair sharing between tenants (start-time fair queuing), the same for every
 * store. Within one priority, queued jobs run in order of their <em>virtual start</em>, then of
 * their sequence; the store stamps the virtual start on {@link JobStore#enqueue}, so the run order
 * of the jobs queued at any moment is a fixed total order that an index answers in O(log n).
 *
 * <p>Each job costs {@link #cost(int) UNIT / weight} of virtual time; its virtual finish is its
 * start plus its cost ({@link JobRecord#virtualFinish()}). A store keeps, per priority, a
 * <em>virtual time</em>: the largest virtual start it ever claimed at that priority. A job
 * enqueued for tenant {@code t} at priority {@code p} starts at
 * <pre>
 *   max(virtual time of p,
 *       largest virtual finish among t's jobs queued at p,
 *       largest virtual finish among t's jobs ever claimed at p)
 * </pre>
 * So a tenant's jobs are spaced by their cost (a tenant of weight 3 gets three starts in the
 * virtual time a tenant of weight 1 needs for one); a tenant that was idle starts at the present
 * virtual time, never earlier (no credit saved up while idle), and a tenant with a long backlog
 * pushes only its own later jobs back. Cancelled jobs leave the queue and stop counting. A job
 * given back to the queue (lost lease, shutdown) keeps its virtual start and sequence: its old place.
 *
 * <p>With one tenant the virtual start never decreases in submission order, so the order is
 * exactly priority, then sequence.
 */
public final class VirtualTime {

    /**
     * Virtual time one job of weight 1 costs: lcm(1..16), so weights up to 16 divide it exactly
     * (larger ones round down by less than 0.2 %). At one unit per claim, a long lasts 10^13 claims.
     */
    public static final long UNIT = 720_720;

    private VirtualTime() {
    }

    /**
     * Virtual time one job of a tenant of {@code weight} costs.
     *
     * @throws IllegalArgumentException when {@code weight} is outside 1..{@link FairShare#MAX_WEIGHT}
     */
    public static long cost(int weight) {
        if (weight < 1 || weight > FairShare.MAX_WEIGHT) {
            throw new IllegalArgumentException("weight must be from 1 to " + FairShare.MAX_WEIGHT + ", got " + weight);
        }
        return UNIT / weight;
    }
}
