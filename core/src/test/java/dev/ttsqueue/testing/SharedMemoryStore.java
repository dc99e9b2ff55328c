package dev.ttsqueue.testing;

import dev.ttsqueue.JobStatus;
import dev.ttsqueue.SynthesisResult;
import dev.ttsqueue.spi.CancelOutcome;
import dev.ttsqueue.spi.Claim;
import dev.ttsqueue.spi.JobChange;
import dev.ttsqueue.spi.JobChangeFeed;
import dev.ttsqueue.spi.JobRecord;
import dev.ttsqueue.spi.JobStore;
import dev.ttsqueue.spi.TenantCounts;
import dev.ttsqueue.spi.LeaseState;
import dev.ttsqueue.spi.QueuePlace;
import dev.ttsqueue.store.InMemoryJobStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * One in-memory store seen by several "nodes" in one JVM, as a shared store (Redis) is: each
 * {@link #node()} is a non-exclusive {@link JobStore} with a {@link JobChangeFeed} that tells it
 * the changes the other nodes made, one at a time on a thread of its own. Delivery can be cut
 * ({@link #disconnect()}) and restored with a gap ({@link #reconnect()}), as a dropped
 * publish/subscribe connection would. For tests of what the queue does with a change feed.
 */
public final class SharedMemoryStore {
    private final InMemoryJobStore shared = new InMemoryJobStore();
    private final List<Node> nodes = new CopyOnWriteArrayList<>();
    private volatile boolean connected = true;

    /** A new node's view of the shared store. */
    public JobStore node() {
        Node n = new Node();
        nodes.add(n);
        return n;
    }

    /** Changes made from now on reach no other node. */
    public void disconnect() {
        connected = false;
    }

    /** Changes flow again, and every subscribed node is told some may have been missed. */
    public void reconnect() {
        connected = true;
        for (Node n : nodes) {
            n.deliver(l -> l.onGap());
        }
    }

    private void announce(Node from, JobChange change) {
        if (!connected) {
            return;
        }
        for (Node n : nodes) {
            if (n != from) {
                n.deliver(l -> l.onChange(change));
            }
        }
    }

    private final class Node implements JobStore, JobChangeFeed {
        private final List<Listener> listeners = new CopyOnWriteArrayList<>();
        private final ExecutorService delivery = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "shared-store-changes");
            t.setDaemon(true);
            return t;
        });

        void deliver(java.util.function.Consumer<Listener> call) {
            for (Listener l : listeners) {
                delivery.execute(() -> call.accept(l));
            }
        }

        @Override
        public Optional<JobChangeFeed> changeFeed() {
            return Optional.of(this);
        }

        @Override
        public AutoCloseable subscribe(Listener listener) {
            listeners.add(listener);
            return () -> listeners.remove(listener);
        }

        @Override
        public Optional<JobRecord> enqueue(JobRecord job, int maxQueued) {
            Optional<JobRecord> r = shared.enqueue(job, maxQueued);
            r.ifPresent(x -> announce(this, JobChange.of(JobChange.Kind.WORK_AVAILABLE, null, 0)));
            return r;
        }

        @Override
        public Optional<Claim> claimNext(String workerId, Instant now, Duration lease) {
            Optional<Claim> c = shared.claimNext(workerId, now, lease);
            c.ifPresent(x -> announce(this, JobChange.of(JobChange.Kind.STARTED, x.job().id(), x.fencingToken())));
            return c;
        }

        @Override
        public LeaseState renewLease(String jobId, long fencingToken, Instant leaseEnd) {
            return shared.renewLease(jobId, fencingToken, leaseEnd);
        }

        @Override
        public LeaseState recordProgress(String jobId, long token, int done, int total, double progress, Instant eta) {
            LeaseState s = shared.recordProgress(jobId, token, done, total, progress, eta);
            if (s != LeaseState.LOST) {
                announce(this, new JobChange(JobChange.Kind.PROGRESS, jobId, token, done, total, progress, eta));
            }
            return s;
        }

        @Override
        public boolean complete(String jobId, long token, SynthesisResult result, Instant now) {
            return ended(jobId, shared.complete(jobId, token, result, now), JobChange.Kind.COMPLETED);
        }

        @Override
        public boolean fail(String jobId, long token, String error, Instant now) {
            return ended(jobId, shared.fail(jobId, token, error, now), JobChange.Kind.FAILED);
        }

        @Override
        public boolean finishCancelled(String jobId, long token, Instant now) {
            return ended(jobId, shared.finishCancelled(jobId, token, now), JobChange.Kind.CANCELLED);
        }

        private boolean ended(String jobId, boolean written, JobChange.Kind kind) {
            if (written) {
                announce(this, JobChange.of(kind, jobId, 0));
            }
            return written;
        }

        @Override
        public CancelOutcome requestCancel(String jobId, Instant now) {
            CancelOutcome o = shared.requestCancel(jobId, now);
            if (o == CancelOutcome.CANCELLED) {
                announce(this, JobChange.of(JobChange.Kind.CANCELLED, jobId, 0));
            } else if (o == CancelOutcome.CANCEL_REQUESTED) {
                announce(this, JobChange.of(JobChange.Kind.CANCEL_REQUESTED, jobId, shared.get(jobId).orElseThrow().fencingToken()));
            }
            return o;
        }

        @Override
        public Optional<JobRecord> get(String jobId) {
            return shared.get(jobId);
        }

        @Override
        public List<JobRecord> list(JobStatus status, long beforeSequence, int limit) {
            return shared.list(status, beforeSequence, limit);
        }

        @Override
        public List<JobRecord> queuedInRunOrder(int limit) {
            return shared.queuedInRunOrder(limit);
        }

        @Override
        public TenantCounts tenantCounts(String tenant) {
            return shared.tenantCounts(tenant);
        }

        @Override
        public Map<JobStatus, Long> counts() {
            return shared.counts();
        }

        @Override
        public QueuePlace queuePlace(JobRecord job) {
            return shared.queuePlace(job);
        }

        @Override
        public List<JobRecord> purgeFinishedBefore(Instant cutoff) {
            return shared.purgeFinishedBefore(cutoff);
        }

        @Override
        public List<JobRecord> recoverExpiredLeases(Instant now, int maxAttempts) {
            List<JobRecord> changed = shared.recoverExpiredLeases(now, maxAttempts);
            for (JobRecord r : changed) {
                announce(this, JobChange.of(JobChange.Kind.valueOf(r.status().name()), r.id(), 0));
            }
            return changed;
        }

        @Override
        public String describe() {
            return "shared-memory";
        }

        @Override
        public void close() {
            delivery.shutdown();
            try {
                delivery.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
