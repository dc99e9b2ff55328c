package dev.ttsqueue.internal;

import dev.ttsqueue.JobStatus;
import dev.ttsqueue.SynthesisResult;
import dev.ttsqueue.spi.CancelOutcome;
import dev.ttsqueue.spi.Claim;
import dev.ttsqueue.spi.JobRecord;
import dev.ttsqueue.spi.JobStore;
import dev.ttsqueue.spi.LeaseState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.UnaryOperator;

/**
 * The library's default store: a map of jobs plus a sorted set of the queued ones, under one lock.
 * Every operation is O(log n) except {@link #queuePosition}, O(distance to the nearer end of the
 * queue), and listings, which are O(n).
 */
public final class InMemoryJobStore implements JobStore {

    /**
     * Run order: higher priority first, then submission order. Compares rather than negates the
     * priority, because {@code -Integer.MIN_VALUE} overflows and would put the lowest priority first.
     */
    static final Comparator<JobRecord> RUN_ORDER = InMemoryJobStore::compareRunOrder;

    /** One plain method rather than a composed comparator: it runs O(log n) times per enqueue and claim. */
    private static int compareRunOrder(JobRecord a, JobRecord b) {
        int byPriority = Integer.compare(b.priority(), a.priority());
        return byPriority != 0 ? byPriority : Long.compare(a.sequence(), b.sequence());
    }

    private final Object lock = new Object();
    private final Map<String, JobRecord> jobs = new HashMap<>();
    private final TreeSet<JobRecord> queued = new TreeSet<>(RUN_ORDER);
    /** Ids of processing jobs, so lease checks need not scan finished ones. */
    private final java.util.Set<String> processing = new java.util.HashSet<>();
    /** Jobs per state, indexed by ordinal (no boxing on the submit/claim/complete path). */
    private final long[] counts = new long[JobStatus.values().length];
    private long nextSequence = 1;
    private long nextToken = 1;

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
            JobRecord stored = job.withSequence(nextSequence);
            // One hash lookup for the duplicate check and the insert.
            JobRecord existing = jobs.putIfAbsent(stored.id(), stored);
            if (existing != null) {
                throw new IllegalArgumentException("job " + job.id() + " already exists");
            }
            nextSequence++;
            queued.add(stored);
            bump(JobStatus.QUEUED, 1);
            return Optional.of(stored);
        }
    }

    @Override
    public Optional<Claim> claimNext(String workerId, Instant now, Duration lease) {
        synchronized (lock) {
            JobRecord next = queued.pollFirst();
            if (next == null) {
                return Optional.empty();
            }
            long token = nextToken++;
            JobRecord claimed = next.claimed(workerId, now, now.plus(lease), token);
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

    private LeaseState updateHeld(String jobId, long token, UnaryOperator<JobRecord> change) {
        synchronized (lock) {
            JobRecord current = jobs.get(jobId);
            if (current == null || current.status() != JobStatus.PROCESSING || current.fencingToken() != token) {
                return LeaseState.LOST;
            }
            JobRecord updated = change.apply(current);
            replace(current, updated);
            return current.cancelRequested() ? LeaseState.CANCEL_REQUESTED : LeaseState.HELD;
        }
    }

    @Override
    public CancelOutcome requestCancel(String jobId, Instant now) {
        synchronized (lock) {
            JobRecord current = jobs.get(jobId);
            if (current == null) {
                return CancelOutcome.NOT_FOUND;
            }
            switch (current.status()) {
                case QUEUED -> {
                    queued.remove(current);
                    replace(current, current.cancelled(now));
                    return CancelOutcome.CANCELLED;
                }
                case PROCESSING -> {
                    replace(current, current.withCancelRequested());
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
            return Optional.ofNullable(jobs.get(jobId));
        }
    }

    @Override
    public List<JobRecord> list(JobStatus status, int limit) {
        synchronized (lock) {
            List<JobRecord> out = new ArrayList<>();
            for (JobRecord j : jobs.values()) {
                if (status == null || j.status() == status) {
                    out.add(j);
                }
            }
            out.sort(Comparator.comparingLong(JobRecord::sequence).reversed());
            return out.size() > limit ? new ArrayList<>(out.subList(0, Math.max(0, limit))) : out;
        }
    }

    @Override
    public List<JobRecord> queuedInRunOrder(int limit) {
        synchronized (lock) {
            List<JobRecord> out = new ArrayList<>(Math.max(0, Math.min(limit, queued.size())));
            Iterator<JobRecord> it = queued.iterator();
            while (it.hasNext() && out.size() < limit) {
                out.add(it.next());
            }
            return out;
        }
    }

    @Override
    public Map<JobStatus, Long> counts() {
        synchronized (lock) {
            EnumMap<JobStatus, Long> out = new EnumMap<>(JobStatus.class);
            for (JobStatus s : JobStatus.values()) {
                out.put(s, counts[s.ordinal()]);
            }
            return out;
        }
    }

    @Override
    public int queuePosition(String jobId) {
        synchronized (lock) {
            JobRecord j = jobs.get(jobId);
            if (j == null || j.status() != JobStatus.QUEUED) {
                return 0;
            }
            // Walk towards both ends at once and stop at the nearer one: O(min(ahead, behind)),
            // so the usual case (a job just submitted, at the tail) costs O(1), not O(queue).
            Iterator<JobRecord> ahead = queued.headSet(j, false).descendingIterator();
            Iterator<JobRecord> behind = queued.tailSet(j, false).iterator();
            int seenAhead = 0;
            int seenBehind = 0;
            while (true) {
                if (!ahead.hasNext()) {
                    return seenAhead + 1;
                }
                if (!behind.hasNext()) {
                    return queued.size() - seenBehind;
                }
                ahead.next();
                seenAhead++;
                behind.next();
                seenBehind++;
            }
        }
    }

    @Override
    public List<JobRecord> purgeFinishedBefore(Instant cutoff) {
        synchronized (lock) {
            List<JobRecord> removed = new ArrayList<>();
            Iterator<JobRecord> it = jobs.values().iterator();
            while (it.hasNext()) {
                JobRecord j = it.next();
                if (j.status().isTerminal() && j.completedAt() != null && j.completedAt().isBefore(cutoff)) {
                    it.remove();
                    bump(j.status(), -1);
                    removed.add(j);
                }
            }
            return removed;
        }
    }

    @Override
    public List<JobRecord> requeueExpired(Instant now, int maxAttempts) {
        return recover(now, maxAttempts, false);
    }

    @Override
    public List<JobRecord> requeueAllHeld(Instant now, int maxAttempts) {
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
            // logged) in the order they were submitted.
            List<JobRecord> held = new ArrayList<>(processing.size());
            for (String id : processing) {
                held.add(jobs.get(id));
            }
            held.sort(Comparator.comparingLong(JobRecord::sequence));
            for (JobRecord j : held) {
                if (!anyLease && (j.leaseExpiresAt() == null || j.leaseExpiresAt().isAfter(now))) {
                    continue;
                }
                JobRecord next;
                if (j.cancelRequested()) {
                    next = j.cancelled(now);
                } else if (j.attempts() >= maxAttempts) {
                    next = j.failed("worker lost", now);
                } else {
                    next = j.requeued();
                }
                replace(j, next);
                changed.add(next);
            }
            return changed;
        }
    }

    @Override
    public String describe() {
        return "in-memory";
    }

    /** Swaps a record, keeping the queued set and the counters in step. Caller holds the lock. */
    private void replace(JobRecord old, JobRecord updated) {
        jobs.put(updated.id(), updated);
        if (old.status() != updated.status()) {
            bump(old.status(), -1);
            bump(updated.status(), 1);
            if (updated.status() == JobStatus.QUEUED) {
                queued.add(updated);
            }
            if (updated.status() == JobStatus.PROCESSING) {
                processing.add(updated.id());
            } else if (old.status() == JobStatus.PROCESSING) {
                processing.remove(updated.id());
            }
        }
    }

    private void bump(JobStatus status, long delta) {
        counts[status.ordinal()] += delta;
    }
}
