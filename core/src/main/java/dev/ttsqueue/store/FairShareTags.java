package dev.ttsqueue.store;

import dev.ttsqueue.spi.JobRecord;
import dev.ttsqueue.spi.VirtualTime;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a store must remember to stamp virtual starts ({@link VirtualTime}) on queued jobs, in
 * memory, for stores that keep their queue or an index of it in memory: the virtual time of each
 * priority, and per priority and tenant the virtual finishes of the queued jobs and the largest
 * one ever claimed. Every operation is O(log n) (a tree per tenant and priority); the state beside
 * the queued jobs is one entry per priority and per active tenant and priority.
 *
 * <p>Not thread-safe: the store that owns it guards it with its own lock.
 */
public final class FairShareTags {

    private record LaneKey(int priority, String tenant) {
    }

    /** One tenant at one priority. */
    private static final class Lane {
        /** Virtual finish → how many queued jobs end there (one, but a multiset is cheap insurance). */
        final TreeMap<Long, Integer> queuedFinishes = new TreeMap<>();
        long claimedFinish;
    }

    private final Map<Integer, Long> virtualTime = new HashMap<>();
    private final Map<LaneKey, Lane> lanes = new HashMap<>();

    /** The virtual start a job of {@code tenant} enqueued now at {@code priority} gets. */
    public long startFor(int priority, String tenant) {
        long start = virtualTime(priority);
        Lane lane = lanes.get(new LaneKey(priority, tenant));
        if (lane != null) {
            start = Math.max(start, lane.claimedFinish);
            if (!lane.queuedFinishes.isEmpty()) {
                start = Math.max(start, lane.queuedFinishes.lastKey());
            }
        }
        return start;
    }

    /** The largest virtual start claimed at {@code priority}; 0 before the first claim. */
    public long virtualTime(int priority) {
        return virtualTime.getOrDefault(priority, 0L);
    }

    /** A job entered the queue (an enqueue, or a job given back), with its virtual start stamped. */
    public void queued(JobRecord job) {
        queued(job.priority(), job.tenant(), job.virtualFinish());
    }

    /** A queued job of {@code tenant} at {@code priority} whose virtual finish is {@code virtualFinish}: for a store loading its queue. */
    public void queued(int priority, String tenant, long virtualFinish) {
        lane(priority, tenant).queuedFinishes.merge(virtualFinish, 1, Integer::sum);
    }

    /** A queued job left the queue without running (a cancel). */
    public void leftQueue(JobRecord job) {
        LaneKey key = new LaneKey(job.priority(), job.tenant());
        Lane lane = lanes.get(key);
        if (lane != null) {
            lane.queuedFinishes.computeIfPresent(job.virtualFinish(), (k, n) -> n == 1 ? null : n - 1);
            prune(key, lane);
        }
    }

    /** A queued job was claimed: it leaves the queue and advances the clocks. */
    public void claimed(JobRecord job) {
        leftQueue(job);
        restoreVirtualTime(job.priority(), job.virtualStart());
        restoreClaimedFinish(job.priority(), job.tenant(), job.virtualFinish());
    }

    /** Raises the virtual time of {@code priority} to {@code value} (never lowers it): for a store loading its state. */
    public void restoreVirtualTime(int priority, long value) {
        virtualTime.merge(priority, value, Math::max);
    }

    /** Raises the claimed finish of {@code tenant} at {@code priority} (never lowers it): for a store loading its state. */
    public void restoreClaimedFinish(int priority, String tenant, long value) {
        Lane lane = lane(priority, tenant);
        lane.claimedFinish = Math.max(lane.claimedFinish, value);
    }

    /** Takes the state of {@code other}, which is left empty, in place of this one's. */
    public void replaceWith(FairShareTags other) {
        if (other != this) {
            clear();
            virtualTime.putAll(other.virtualTime);
            lanes.putAll(other.lanes);
            other.clear();
        }
    }

    /** Forgets everything. */
    public void clear() {
        virtualTime.clear();
        lanes.clear();
    }

    /** Tenants and priorities remembered: for tests that check the state stays small. */
    int lanes() {
        return lanes.size();
    }

    private Lane lane(int priority, String tenant) {
        return lanes.computeIfAbsent(new LaneKey(priority, tenant), k -> new Lane());
    }

    /** A lane with nothing queued whose claimed finish the virtual time passed says nothing: drop it. */
    private void prune(LaneKey key, Lane lane) {
        if (lane.queuedFinishes.isEmpty() && lane.claimedFinish <= virtualTime(key.priority())) {
            lanes.remove(key);
        }
    }
}
