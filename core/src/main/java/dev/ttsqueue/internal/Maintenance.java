package dev.ttsqueue.internal;

import dev.ttsqueue.JobEvent;
import dev.ttsqueue.QueueConfig;
import dev.ttsqueue.StoreUnavailableException;
import dev.ttsqueue.spi.AudioStore;
import dev.ttsqueue.spi.JobRecord;
import dev.ttsqueue.spi.JobStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What runs on a timer ({@code ttsq-maintenance}): leases renewed and timeouts enforced for jobs
 * running here, jobs whose worker was lost recovered (the store finds them, the record's rule
 * decides), and retention of finished jobs and their audio.
 */
final class Maintenance implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Maintenance.class);

    private final QueueConfig cfg;
    private final JobStore store;
    private final AudioStore audio;
    private final Clock clock;
    private final RunningJobs running;
    private final Notifier notifier;
    private final WakeSignal wake;
    private final ScheduledExecutorService timer;
    private Instant lastRetention;

    Maintenance(QueueConfig cfg, RunningJobs running, Notifier notifier, WakeSignal wake) {
        this.cfg = cfg;
        this.store = cfg.store();
        this.audio = cfg.audioStore();
        this.clock = cfg.clock();
        this.running = running;
        this.notifier = notifier;
        this.wake = wake;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ttsq-maintenance");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Recovers the jobs a dead process left behind, before the first claim: on a store no other
     * process can use, every job still processing is such a job and runs again now; on a shared
     * one, only those whose lease ended (the others may have a live worker). Then starts the timer.
     */
    void start() {
        lastRetention = clock.instant();
        if (store.exclusive()) {
            recovered(store.recoverAllHeld(clock.instant(), cfg.maxAttempts()),
                    "still running at start, and no other process uses this store");
        } else {
            recoverExpired();
        }
        long period = cfg.maintenanceInterval().toMillis();
        timer.scheduleWithFixedDelay(this::pass, period, period, TimeUnit.MILLISECONDS);
    }

    private void pass() {
        try {
            Instant now = clock.instant();
            for (RunningJob rj : running.all()) {
                rj.maintain(now);
            }
            recoverExpired();
            if (cfg.retentionMaxAge() != null && !now.isBefore(lastRetention.plus(cfg.retentionInterval()))) {
                lastRetention = now;
                cleanup(cfg.retentionMaxAge());
            }
        } catch (StoreUnavailableException e) {
            // Expected while a shared store's server is down; the pass runs again in a moment.
            log.warn("maintenance pass skipped: {}", e.getMessage());
        } catch (RuntimeException | Error e) {
            // An exception leaving a periodic task cancels it for good: timeouts, lease renewals
            // and recovery would silently stop. Whatever a store plugin throws, retry next pass.
            log.error("maintenance pass failed; will retry", e);
        }
    }

    /** Deletes finished jobs older than {@code maxAge}, their output audio, and expired uploads. */
    int cleanup(Duration maxAge) {
        Instant now = clock.instant();
        List<JobRecord> removed = store.purgeFinishedBefore(now.minus(maxAge));
        for (JobRecord r : removed) {
            if (r.result() != null && r.result().outputFileId() != null) {
                try {
                    audio.delete(r.result().outputFileId());
                } catch (Exception e) {
                    log.warn("could not delete output audio {} of job {}: {}", r.result().outputFileId(), r.id(), e.toString());
                }
            }
        }
        try {
            audio.purgeExpired(now);
        } catch (Exception e) {
            log.warn("could not purge expired audio: {}", e.toString());
        }
        if (!removed.isEmpty()) {
            log.info("cleanup removed {} finished job(s) older than {}", removed.size(), maxAge);
        }
        return removed.size();
    }

    private void recoverExpired() {
        recovered(store.recoverExpiredLeases(clock.instant(), cfg.maxAttempts()), "lease expired");
    }

    private void recovered(List<JobRecord> changed, String why) {
        boolean requeued = false;
        for (JobRecord r : changed) {
            switch (r.status()) {
                case QUEUED -> {
                    requeued = true;
                    log.warn("job {} lost its worker ({}); queued again, attempt {} of {}", r.id(), why, r.attempts(), cfg.maxAttempts());
                    notifier.publish(JobEvent.Kind.QUEUED, r, null);
                }
                case FAILED -> {
                    log.warn("job {} lost its worker {} times; failed", r.id(), r.attempts());
                    notifier.finished(r, JobEvent.Kind.FAILED);
                }
                case CANCELLED -> notifier.finished(r, JobEvent.Kind.CANCELLED);
                default -> {
                }
            }
        }
        if (requeued) {
            wake.signal();
        }
    }

    /** Stops the timer; a pass in progress is interrupted. */
    @Override
    public void close() {
        timer.shutdownNow();
    }
}
