package dev.ttsqueue.internal;

import dev.ttsqueue.JobEvent;
import dev.ttsqueue.JobProgress;
import dev.ttsqueue.JobStatus;
import dev.ttsqueue.spi.JobChange;
import dev.ttsqueue.spi.JobChangeFeed;
import dev.ttsqueue.spi.JobRecord;
import dev.ttsqueue.spi.JobStore;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What this process does with the changes other processes make to jobs in a store they share
 * ({@link JobChangeFeed}), so that a queue node behaves as if it ran every job itself:
 * <ul>
 *   <li>a cancel asked elsewhere reaches the job running here at once, not at its next lease renewal;
 *   <li>listeners here get the events of jobs run elsewhere (read from the store, so an event never
 *       shows an older state than the store holds), and the result futures of jobs submitted here
 *       complete when another process finishes them;
 *   <li>idle workers wake when another process queued work, instead of at their next poll.
 * </ul>
 * Changes of jobs nobody here waits for cost a map lookup. Metrics are not told: each process
 * counts the jobs it ran. Runs on the feed's thread, one change at a time.
 */
final class RemoteChanges implements JobChangeFeed.Listener {
    private static final Logger log = LoggerFactory.getLogger(RemoteChanges.class);

    private final JobStore store;
    private final RunningJobs running;
    private final Notifier notifier;
    private final WakeSignal wake;

    RemoteChanges(JobStore store, RunningJobs running, Notifier notifier, WakeSignal wake) {
        this.store = store;
        this.running = running;
        this.notifier = notifier;
        this.wake = wake;
    }

    @Override
    public void onChange(JobChange change) {
        try {
            switch (change.kind()) {
                case WORK_AVAILABLE -> wake.signal();
                case CANCEL_REQUESTED -> {
                    RunningJob run = running.get(change.jobId());
                    if (run != null && run.token == change.fencingToken()) {
                        run.requestCancel();
                    }
                }
                case QUEUED -> {
                    wake.signal();
                    follow(change);
                }
                default -> follow(change);
            }
        } catch (RuntimeException e) {
            // The store may be unreachable again; the next change, or the gap after it, catches up.
            log.warn("could not follow the change {} of job {} made elsewhere: {}", change.kind(), change.jobId(), e.toString());
        }
    }

    private void follow(JobChange change) {
        String id = change.jobId();
        // Result futures wait for the end only; listeners for every event.
        boolean listened = notifier.events().hasListeners(id);
        if (!listened && (!change.kind().isTerminal() || notifier.handle(id) == null)) {
            return;
        }
        Optional<JobRecord> stored = store.get(id);
        if (stored.isEmpty()) {
            return;
        }
        JobRecord record = stored.get();
        if (change.kind().isTerminal()) {
            if (record.status().isTerminal()) {
                endedElsewhere(record);
            }
            return;
        }
        // A job that has moved on since gets the event of the change that moved it, which follows.
        boolean current = switch (change.kind()) {
            case QUEUED -> record.status() == JobStatus.QUEUED;
            case STARTED, PROGRESS -> record.status() == JobStatus.PROCESSING && record.fencingToken() == change.fencingToken();
            default -> false;
        };
        if (!current) {
            return;
        }
        JobEvent.Kind kind = switch (change.kind()) {
            case QUEUED -> JobEvent.Kind.QUEUED;
            case STARTED -> JobEvent.Kind.STARTED;
            default -> JobEvent.Kind.PROGRESS;
        };
        JobProgress progress = change.kind() == JobChange.Kind.PROGRESS
                ? new JobProgress(id, change.stepsDone(), change.stepsTotal(), change.progress(), change.estimatedCompletion())
                : null;
        notifier.publish(kind, record, progress);
    }

    /** The terminal event for listeners here, then the result future: as {@link Notifier#finished}, but no metrics. */
    private void endedElsewhere(JobRecord record) {
        JobEvent.Kind kind = switch (record.status()) {
            case COMPLETED -> JobEvent.Kind.COMPLETED;
            case FAILED -> JobEvent.Kind.FAILED;
            default -> JobEvent.Kind.CANCELLED;
        };
        notifier.endedElsewhere(record, kind);
    }

    /**
     * Changes were lost while the feed was down: every job something here waits for is read again,
     * and those that ended meanwhile are ended here. Jobs running here are left to their worker,
     * which publishes their end itself. Costs one store read per awaited job, once per reconnection.
     */
    @Override
    public void onGap() {
        Set<String> awaited = notifier.awaitedJobs();
        int ended = 0;
        for (String id : awaited) {
            if (running.get(id) != null) {
                continue;
            }
            try {
                Optional<JobRecord> stored = store.get(id);
                if (stored.isEmpty()) {
                    notifier.events().endJob(id, null);
                } else if (stored.get().status().isTerminal()) {
                    endedElsewhere(stored.get());
                    ended++;
                }
            } catch (RuntimeException e) {
                log.warn("could not re-read job {} after the change feed was interrupted: {}", id, e.toString());
            }
        }
        if (ended > 0) {
            log.info("the change feed was interrupted; {} job(s) had ended meanwhile", ended);
        }
        wake.signal();
    }
}
