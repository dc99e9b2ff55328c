package dev.ttsqueue.internal;

import dev.ttsqueue.JobEvent;
import dev.ttsqueue.JobListener;
import dev.ttsqueue.JobStatus;
import dev.ttsqueue.Subscription;
import dev.ttsqueue.spi.Identifiers;
import dev.ttsqueue.spi.JobRecord;
import dev.ttsqueue.spi.JobStore;
import java.util.Optional;

/**
 * Listener registration on the {@link EventBus}, with what keeps a job's listener list from
 * outliving the job: a listener added to a job that already ended hears its end at once.
 */
final class Subscriptions {
    private final JobStore store;
    private final EventBus events;
    private final Snapshots snapshots;

    Subscriptions(JobStore store, EventBus events, Snapshots snapshots) {
        this.store = store;
        this.events = events;
        this.snapshots = snapshots;
    }

    /** Adds {@code listener} for one job, or for every job when {@code jobId} is null. */
    Subscription add(String jobId, JobListener listener) {
        Subscription subscription = events.add(jobId, listener);
        if (jobId == null) {
            return subscription;
        }
        // A job that already ended (or never existed) gets no terminal event here any more, so its
        // listener list would stay forever. Its terminal state was stored before its event was
        // published, so reading the store after registering misses no job that is still running.
        Optional<JobRecord> r;
        try {
            r = Identifiers.isSafe(jobId) ? store.get(jobId) : Optional.empty();
        } catch (RuntimeException e) {
            subscription.close();
            throw e;
        }
        if (r.isEmpty()) {
            events.endJob(jobId, null);
        } else if (r.get().status().isTerminal()) {
            events.endJob(jobId, new JobEvent(terminalKind(r.get().status()), snapshots.of(r.get()), null));
        }
        return subscription;
    }

    private static JobEvent.Kind terminalKind(JobStatus status) {
        return switch (status) {
            case COMPLETED -> JobEvent.Kind.COMPLETED;
            case FAILED -> JobEvent.Kind.FAILED;
            case CANCELLED -> JobEvent.Kind.CANCELLED;
            default -> throw new IllegalArgumentException(status + " is not terminal");
        };
    }
}
