package dev.ttsqueue.store;

import dev.ttsqueue.JobStatus;
import dev.ttsqueue.SynthesisResult;
import dev.ttsqueue.spi.CancelOutcome;
import dev.ttsqueue.spi.Claim;
import dev.ttsqueue.spi.JobRecord;
import dev.ttsqueue.spi.JobStore;
import dev.ttsqueue.spi.LeaseState;
import dev.ttsqueue.spi.QueuePlace;
import dev.ttsqueue.spi.TenantCounts;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.UnaryOperator;

/**
 * The library's default store: every job in memory, under one lock, with an index for each
 * question the queue asks, so that no operation walks the jobs:
 * <ul>
 *   <li>queued jobs in a {@link RunOrderIndex}: claim, place in the queue and work ahead in O(log n);
 *   <li>the fair-share clocks in {@link FairShareTags}: a virtual start stamped in O(log n);
 *   <li>jobs of each state by sequence: listings page through them in O(log n + page);
 *   <li>finished jobs by completion time: a purge costs O(log n) per job it removes;
 *   <li>counts per state, and per tenant of queued and processing jobs, kept as counters.
 * </ul>
 * A job's record lives in one {@link Slot} that every index shares, so an update (progress, a
 * lease renewal) replaces one reference and touches no index unless the state changes.
 */
public final class InMemoryJobStore implements JobStore {

    /** One job. The record changes; the sequence, which orders the slot in every index, never does. */
    private static final class Slot {
        final long sequence;
        JobRecord record;

        Slot(long sequence, JobRecord record) {
            this.sequence = sequence;
            this.record = record;
        }
    }

    /**
     * Slots by job id, spread over 64 hash maps by the id's hash. A hash map doubles its table in
     * one step when it fills: with one map, the step at 98,304 jobs rehashed them all under the
     * store lock while every submit waited, and made one window of the queue-depth benchmark
     * slow (p99 14-24 ms against 3-5 ms; benchmarks/README.md). Each of these maps holds a 64th of
     * the jobs, so its step costs a 64th as much. Guarded by the store's lock.
     */
    private static final class SlotsById {
        private static final int SHARD_BITS = 6;
        private final List<HashMap<String, Slot>> shards = new ArrayList<>(1 << SHARD_BITS);

        SlotsById() {
            for (int i = 0; i < 1 << SHARD_BITS; i++) {
                shards.add(new HashMap<>());
            }
        }

        /**
         * The top bits of the hash, multiplied to mix them: a map picks its bucket from the low
         * bits, so choosing the shard by those would leave most of each map's buckets empty.
         */
        private HashMap<String, Slot> shard(String id) {
            return shards.get((id.hashCode() * 0x9E3779B9) >>> (Integer.SIZE - SHARD_BITS));
        }

        Slot get(String id) {
            return shard(id).get(id);
        }

        boolean containsKey(String id) {
            return shard(id).containsKey(id);
        }

        Slot putIfAbsent(String id, Slot slot) {
            return shard(id).putIfAbsent(id, slot);
        }

        void remove(String id) {
            shard(id).remove(id);
        }
    }

    private static final Comparator<Slot> BY_SEQUENCE = (a, b) -> Long.compare(a.sequence, b.sequence);
    /** Terminal slots only: their completion time no longer changes. */
    private static final Comparator<Slot> BY_COMPLETION = (a, b) -> {
        int c = a.record.completedAt().compareTo(b.record.completedAt());
        return c != 0 ? c : Long.compare(a.sequence, b.sequence);
    };

    private final Object lock = new Object();
    private final SlotsById jobs = new SlotsById();
    private final RunOrderIndex<Slot> queued = new RunOrderIndex<>();
    private final EnumMap<JobStatus, NavigableSet<Slot>> byStatus = new EnumMap<>(JobStatus.class);
    private final TreeSet<Slot> finished = new TreeSet<>(BY_COMPLETION);
    private final FairShareTags tags = new FairShareTags();
    /** Per tenant with active jobs: {queued, processing}. */
    private final Map<String, long[]> tenants = new HashMap<>();
    private long nextSequence = 1;
    private long nextToken = 1;

    public InMemoryJobStore() {
        for (JobStatus s : JobStatus.values()) {
            byStatus.put(s, new TreeSet<>(BY_SEQUENCE));
        }
    }

    @Override
    public Optional<JobRecord> enqueue(JobRecord job, int maxQueued) {
        if (job.status() != JobStatus.QUEUED) {
            throw new IllegalArgumentException("only queued jobs can be enqueued, got " + job.status());
        }
        synchronized (lock) {
            if (maxQueued > 0 && queued.size() >= maxQueued) {
                if (jobs.containsKey(job.id())) {
                    throw new IllegalArgumentException("job " + job.id() + " already exists");
                }
                return Optional.empty();
            }
            JobRecord stored = job.withSequence(nextSequence)
                    .withVirtualStart(tags.startFor(job.priority(), job.tenant()));
            Slot slot = new Slot(stored.sequence(), stored);
            // One hash lookup for the duplicate check and the insert.
            if (jobs.putIfAbsent(stored.id(), slot) != null) {
                throw new IllegalArgumentException("job " + job.id() + " already exists");
            }
            nextSequence++;
            index(slot);
            return Optional.of(stored);
        }
    }

    @Override
    public Optional<Claim> claimNext(String workerId, Instant now, Duration lease) {
        synchronized (lock) {
            Slot next = queued.first();
            if (next == null) {
                return Optional.empty();
            }
            long token = nextToken++;
            JobRecord claimed = next.record.claimed(workerId, now, now.plus(lease), token);
            replace(next, claimed);
            return Optional.of(new Claim(claimed, token));
        }
    }

    @Override
    public LeaseState renewLease(String jobId, long fencingToken, Instant leaseEnd) {
        return updateHeld(jobId, fencingToken, j -> j.withLease(leaseEnd));
    }

    @Override
    public LeaseState recordProgress(String jobId, long fencingToken, int stepsDone, int stepsTotal, double progress,
            Instant estimatedCompletion) {
        return updateHeld(jobId, fencingToken, j -> j.withProgress(stepsDone, stepsTotal, progress, estimatedCompletion));
    }

    @Override
    public boolean complete(String jobId, long fencingToken, SynthesisResult result, Instant now) {
        return updateHeld(jobId, fencingToken, j -> j.completed(result, now)) != LeaseState.LOST;
    }

    @Override
    public boolean fail(String jobId, long fencingToken, String error, Instant now) {
        return updateHeld(jobId, fencingToken, j -> j.failed(error, now)) != LeaseState.LOST;
    }

    @Override
    public boolean finishCancelled(String jobId, long fencingToken, Instant now) {
        return updateHeld(jobId, fencingToken, j -> j.cancelled(now)) != LeaseState.LOST;
    }

    @Override
    public Optional<JobRecord> release(String jobId, long fencingToken, Instant now) {
        synchronized (lock) {
            Slot slot = jobs.get(jobId);
            if (slot == null || slot.record.status() != JobStatus.PROCESSING || slot.record.fencingToken() != fencingToken) {
                return Optional.empty();
            }
            JobRecord next = slot.record.afterShutdown(now);
            replace(slot, next);
            return Optional.of(next);
        }
    }

    private LeaseState updateHeld(String jobId, long token, UnaryOperator<JobRecord> change) {
        synchronized (lock) {
            Slot slot = jobs.get(jobId);
            JobRecord current = slot == null ? null : slot.record;
            if (current == null || current.status() != JobStatus.PROCESSING || current.fencingToken() != token) {
                return LeaseState.LOST;
            }
            replace(slot, change.apply(current));
            return current.cancelRequested() ? LeaseState.CANCEL_REQUESTED : LeaseState.HELD;
        }
    }

    @Override
    public CancelOutcome requestCancel(String jobId, Instant now) {
        synchronized (lock) {
            Slot slot = jobs.get(jobId);
            if (slot == null) {
                return CancelOutcome.NOT_FOUND;
            }
            JobRecord current = slot.record;
            switch (current.status()) {
                case QUEUED -> {
                    replace(slot, current.cancelled(now));
                    return CancelOutcome.CANCELLED;
                }
                case PROCESSING -> {
                    replace(slot, current.withCancelRequested());
                    return CancelOutcome.CANCEL_REQUESTED;
                }
                default -> {
                    return CancelOutcome.ALREADY_FINISHED;
                }
            }
        }
    }

    @Override
    public Optional<JobRecord> get(String jobId) {
        synchronized (lock) {
            Slot slot = jobs.get(jobId);
            return slot == null ? Optional.empty() : Optional.of(slot.record);
        }
    }

    @Override
    public List<JobRecord> list(JobStatus status, long beforeSequence, int limit) {
        synchronized (lock) {
            List<JobRecord> out = new ArrayList<>(Math.max(0, Math.min(limit, 1024)));
            if (limit <= 0) {
                return out;
            }
            Slot bound = probe(beforeSequence);
            if (status != null) {
                Iterator<Slot> it = byStatus.get(status).headSet(bound, false).descendingIterator();
                while (it.hasNext() && out.size() < limit) {
                    out.add(it.next().record);
                }
                return out;
            }
            // Newest first across every state: a merge of the per-state sets, each read newest first.
            List<Iterator<Slot>> sources = new ArrayList<>();
            List<Slot> heads = new ArrayList<>();
            for (NavigableSet<Slot> set : byStatus.values()) {
                Iterator<Slot> it = set.headSet(bound, false).descendingIterator();
                if (it.hasNext()) {
                    sources.add(it);
                    heads.add(it.next());
                }
            }
            while (out.size() < limit && !sources.isEmpty()) {
                int newest = 0;
                for (int i = 1; i < heads.size(); i++) {
                    if (heads.get(i).sequence > heads.get(newest).sequence) {
                        newest = i;
                    }
                }
                out.add(heads.get(newest).record);
                Iterator<Slot> it = sources.get(newest);
                if (it.hasNext()) {
                    heads.set(newest, it.next());
                } else {
                    sources.remove(newest);
                    heads.remove(newest);
                }
            }
            return out;
        }
    }

    /** A key for the sets ordered by sequence. */
    private static Slot probe(long sequence) {
        return new Slot(sequence, null);
    }

    @Override
    public List<JobRecord> queuedInRunOrder(int limit) {
        synchronized (lock) {
            List<Slot> slots = queued.range(0, Math.max(0, limit));
            List<JobRecord> out = new ArrayList<>(slots.size());
            for (Slot s : slots) {
                out.add(s.record);
            }
            return out;
        }
    }

    @Override
    public Map<JobStatus, Long> counts() {
        synchronized (lock) {
            EnumMap<JobStatus, Long> out = new EnumMap<>(JobStatus.class);
            for (JobStatus s : JobStatus.values()) {
                out.put(s, (long) byStatus.get(s).size());
            }
            return out;
        }
    }

    @Override
    public TenantCounts tenantCounts(String tenant) {
        synchronized (lock) {
            long[] n = tenants.get(tenant);
            return n == null ? TenantCounts.NONE : new TenantCounts(n[0], n[1]);
        }
    }

    @Override
    public QueuePlace queuePlace(JobRecord job) {
        synchronized (lock) {
            return queued.place(job.priority(), job.virtualStart(), job.sequence());
        }
    }

    @Override
    public List<JobRecord> purgeFinishedBefore(Instant cutoff) {
        synchronized (lock) {
            List<JobRecord> removed = new ArrayList<>();
            Iterator<Slot> it = finished.iterator();
            while (it.hasNext()) {
                Slot s = it.next();
                if (!s.record.completedAt().isBefore(cutoff)) {
                    break;
                }
                it.remove();
                jobs.remove(s.record.id());
                byStatus.get(s.record.status()).remove(s);
                removed.add(s.record);
            }
            return removed;
        }
    }

    @Override
    public List<JobRecord> recoverExpiredLeases(Instant now, int maxAttempts) {
        return recover(now, maxAttempts, false);
    }

    @Override
    public List<JobRecord> recoverAllHeld(Instant now, int maxAttempts) {
        return recover(now, maxAttempts, true);
    }

    /** Process-local by construction: no other process can hold its jobs. */
    @Override
    public boolean exclusive() {
        return true;
    }

    private List<JobRecord> recover(Instant now, int maxAttempts, boolean anyLease) {
        synchronized (lock) {
            List<JobRecord> changed = new ArrayList<>();
            // In sequence order, as the SQLite store does, so recovered jobs are reported (and
            // logged) in the order they were submitted. A copy: recovery moves slots out of the set.
            for (Slot s : List.copyOf(byStatus.get(JobStatus.PROCESSING))) {
                JobRecord j = s.record;
                if (!anyLease && (j.leaseExpiresAt() == null || j.leaseExpiresAt().isAfter(now))) {
                    continue;
                }
                JobRecord next = j.afterLostWorker(now, maxAttempts);
                replace(s, next);
                changed.add(next);
            }
            return changed;
        }
    }

    @Override
    public String describe() {
        return "in-memory";
    }

    /** Puts a slot into the indexes of its state. Caller holds the lock. */
    private void index(Slot slot) {
        JobRecord r = slot.record;
        byStatus.get(r.status()).add(slot);
        if (r.status() == JobStatus.QUEUED) {
            queued.add(r.priority(), r.virtualStart(), slot.sequence, r.work(), slot);
            tags.queued(r);
        } else if (r.status().isTerminal()) {
            finished.add(slot);
        }
        countTenant(r, 1);
    }

    /** Adds {@code delta} to the tenant's counter of the record's state, when it is one that is counted. */
    private void countTenant(JobRecord r, int delta) {
        int which = r.status() == JobStatus.QUEUED ? 0 : r.status() == JobStatus.PROCESSING ? 1 : -1;
        if (which < 0) {
            return;
        }
        long[] n = tenants.computeIfAbsent(r.tenant(), t -> new long[2]);
        n[which] += delta;
        if (n[0] == 0 && n[1] == 0) {
            tenants.remove(r.tenant());
        }
    }

    /** Swaps a slot's record, moving it between indexes when its state changes. Caller holds the lock. */
    private void replace(Slot slot, JobRecord updated) {
        JobRecord old = slot.record;
        if (old.status() == updated.status()) {
            slot.record = updated;
            return;
        }
        byStatus.get(old.status()).remove(slot);
        if (old.status() == JobStatus.QUEUED) {
            queued.remove(old.priority(), old.virtualStart(), slot.sequence);
            if (updated.status() == JobStatus.PROCESSING) {
                tags.claimed(old);
            } else {
                tags.leftQueue(old);
            }
        }
        countTenant(old, -1);
        // A terminal job never changes state again, so it is never in `finished` here.
        slot.record = updated;
        index(slot);
    }
}
