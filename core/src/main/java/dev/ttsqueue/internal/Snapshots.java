package dev.ttsqueue.internal;

import dev.ttsqueue.JobSnapshot;
import dev.ttsqueue.JobStatus;
import dev.ttsqueue.spi.JobRecord;
import dev.ttsqueue.spi.JobStore;
import dev.ttsqueue.spi.QueuePlace;
import java.time.Clock;
import java.time.Instant;

/**
 * Turns stored records into {@link JobSnapshot}s: the place in the queue from the store's index
 * (O(log n)), progress and ETA of jobs running here from their live state, and ETAs of queued jobs
 * from the speed model. Built only for whoever asks (a status, a listing, a listener).
 */
final class Snapshots {
    private final JobStore store;
    private final Clock clock;
    private final SpeedEstimator speed;
    private final RunningJobs running;
    private final int workers;

    Snapshots(JobStore store, Clock clock, SpeedEstimator speed, RunningJobs running, int workers) {
        this.store = store;
        this.clock = clock;
        this.speed = speed;
        this.running = running;
        this.workers = workers;
    }

    JobSnapshot of(JobRecord r) {
        return of(r, clock.instant());
    }

    JobSnapshot of(JobRecord r, Instant now) {
        QueuePlace place = r.status() == JobStatus.QUEUED ? store.queuePlace(r) : QueuePlace.NOT_QUEUED;
        return of(r, now, place);
    }

    JobSnapshot of(JobRecord r, Instant now, QueuePlace place) {
        RunningJob here = r.status() == JobStatus.PROCESSING ? running.get(r.id(), r.fencingToken()) : null;
        Instant eta = switch (r.status()) {
            case QUEUED -> queuedEta(r, now, place);
            case PROCESSING -> runningEta(r, here, now);
            default -> null;
        };
        // A job put back after a lost lease keeps its last start in the store; the snapshot promises none while queued.
        Instant started = r.status() == JobStatus.QUEUED ? null : r.startedAt();
        // A job running here knows its progress better than the store, which hears of it now and then.
        double progress = here != null ? Math.max(r.progress(), here.record().progress()) : r.progress();
        return new JobSnapshot(r.id(), r.type(), r.status(), r.priority(), r.createdAt(), started, r.completedAt(),
                progress, eta, place.position(), r.error(), r.result(), r.attempts(), r.request());
    }

    /**
     * A job running here is estimated from its live pace; one running elsewhere from its last
     * report. One that reported nothing yet (claimed a moment ago, its run not registered yet, or on
     * a node that has not written progress): its start plus what the speed model gives its work.
     */
    private Instant runningEta(JobRecord r, RunningJob here, Instant now) {
        if (here != null) {
            Instant live = SpeedEstimator.plusSeconds(now, here.secondsLeft(now));
            if (live != null) {
                return live;
            }
        }
        if (r.estimatedCompletion() != null || r.startedAt() == null || !speed.knowsJobs()) {
            return r.estimatedCompletion();
        }
        Instant predicted = SpeedEstimator.plusSeconds(r.startedAt(), speed.secondsFor(r.work()));
        return predicted.isBefore(now) ? now : predicted;
    }

    /**
     * ETA of a queued job: what the running jobs still need, plus the jobs ahead of it (a cost per
     * job and per character of their text, from the speed model) spread over the workers, then its
     * own run. Null until a job has finished here, since nothing says yet how fast this device is.
     */
    private Instant queuedEta(JobRecord r, Instant now, QueuePlace place) {
        if (!speed.knowsJobs()) {
            return null;
        }
        if (!place.isQueued()) {
            // Read as queued, claimed since (a submit to an idle worker): it starts about now.
            return SpeedEstimator.plusSeconds(now, speed.secondsFor(r.work()));
        }
        long jobsAhead = place.position() - 1L;
        long workAhead = place.workAhead() >= 0 ? place.workAhead()
                : Math.round(jobsAhead * speed.averageWork()); // a store that cannot add up work
        double ahead = (running.secondsLeft(now) + speed.secondsFor(jobsAhead, workAhead)) / workers;
        return SpeedEstimator.plusSeconds(now, ahead + speed.secondsFor(r.work()));
    }
}
