package dev.ttsqueue.internal;

import dev.ttsqueue.JobEvent;
import dev.ttsqueue.JobProgress;
import dev.ttsqueue.spi.Claim;
import dev.ttsqueue.spi.JobRecord;
import dev.ttsqueue.spi.LeaseState;
import dev.ttsqueue.spi.SynthesisContext;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One job on one worker: the backend's {@link SynthesisContext}, the lease, the timeout. Progress
 * is written by the worker thread; cancellation, timeout and lease flags by the maintenance thread
 * or a caller of cancel, hence the volatiles.
 */
final class RunningJob implements SynthesisContext {
    private static final Logger log = LoggerFactory.getLogger(RunningJob.class);
    private final JobRuntime rt;
    final String id;
    final long token;
    final Instant startedAt;
    /** The job's work in characters ({@link JobRecord#work()}), for the speed model. */
    final long work;

    private volatile boolean cancelRequested;
    /** The queue is closing: the job stops and goes back to the queue for the next start. */
    private volatile boolean closing;
    private volatile boolean timedOut;
    private volatile boolean lost;
    private volatile int stepsDone;
    private volatile int stepsTotal;
    private volatile JobRecord current;
    /** When the job was first told to stop (cancel, timeout, lost lease), and why; null while it may run. */
    private final AtomicReference<Stop> stop = new AtomicReference<>();
    /** True while the backend call that runs this job is in progress. */
    private volatile boolean inBackendCall;
    private final String worker;
    private boolean stuckLogged;

    private record Stop(Instant at, String reason) {
    }
    private double percent;
    /** Written by the worker, read by threads asking for an estimate. */
    private volatile Instant lastStepAt;
    private Instant lastRenewal;
    /** When progress was last written to the store; null before the first report. Worker thread only. */
    private Instant lastProgressWrite;

    /** Longest time between two progress writes to the store while steps keep coming. */
    static final Duration PROGRESS_WRITE_INTERVAL = Duration.ofMillis(500);

    RunningJob(JobRuntime rt, Claim claim, String worker) {
        this.rt = rt;
        this.worker = worker;
        this.current = claim.job();
        this.id = claim.job().id();
        this.token = claim.fencingToken();
        this.startedAt = claim.job().startedAt();
        this.work = claim.job().work();
        this.lastStepAt = startedAt;
        this.lastRenewal = startedAt;
    }

    JobRecord record() {
        return current;
    }

    @Override
    public String jobId() {
        return id;
    }

    @Override
    public boolean isCancelled() {
        return cancelRequested || timedOut || lost || closing;
    }

    boolean cancelRequested() {
        return cancelRequested;
    }

    boolean timedOut() {
        return timedOut;
    }

    boolean lost() {
        return lost;
    }

    int stepsTotal() {
        return stepsTotal;
    }

    /** Asks the job to stop because its queue is closing: it is given back to the queue, not cancelled. */
    void stopForClose() {
        closing = true;
        stopRequested(rt.clock().instant(), "queue closing");
    }

    boolean stoppedForClose() {
        return closing;
    }

    void requestCancel() {
        cancelRequested = true;
        stopRequested(rt.clock().instant(), "cancelled");
    }

    private void stopRequested(Instant now, String reason) {
        stop.compareAndSet(null, new Stop(now, reason));
    }

    /** The worker running this job (its thread's name). */
    String worker() {
        return worker;
    }

    /** Brackets the backend call that runs this job: only a job inside one can hold up its worker. */
    void backendCall(boolean inProgress) {
        inBackendCall = inProgress;
    }

    /**
     * True when the job was told to stop at least {@code grace} before {@code now} and its
     * backend call has still not returned: its worker takes no other job until it does. A job
     * waiting for its turn in a batch does not count: its call has not begun.
     */
    boolean stuck(Instant now, Duration grace) {
        Stop since = stop.get();
        return inBackendCall && since != null && !now.isBefore(since.at().plus(grace));
    }

    /**
     * Seconds this job still needs as of {@code now}: at its own pace once it reported a step,
     * before that from the device's speed model; NaN while nothing is known.
     */
    double secondsLeft(Instant now) {
        int done = stepsDone;
        int total = stepsTotal;
        Instant last = lastStepAt;
        if (done > 0 && total > 0) {
            double perStep = seconds(startedAt, last) / done;
            return Math.max(0, perStep * Math.max(0, total - done) - seconds(last, now));
        }
        double predicted = rt.speed().secondsFor(work);
        if (!Double.isNaN(predicted)) {
            return Math.max(0, predicted - seconds(startedAt, now));
        }
        double perStep = rt.speed().secondsPerStep();
        return total > 0 && !Double.isNaN(perStep) ? perStep * Math.max(0, total - done) : Double.NaN;
    }

    private static double seconds(Instant from, Instant to) {
        return Duration.between(from, to).toNanos() / 1e9;
    }

    @Override
    public void reportProgress(int done, int total) {
        if (lost || timedOut) {
            return;
        }
        Instant now = rt.clock().instant();
        int previous = stepsDone;
        if (done > previous) {
            rt.speed().recordSteps(done - previous, Duration.between(lastStepAt, now));
            lastStepAt = now;
        }
        int newTotal = Math.max(Math.max(total, done), 0);
        stepsDone = Math.max(done, 0);
        stepsTotal = newTotal;
        double pct = newTotal > 0 ? Math.min(99.0, 100.0 * done / newTotal) : 0.0;
        percent = Math.max(percent, pct);
        Instant eta = SpeedEstimator.plusSeconds(now, secondsLeft(now));
        // Snapshots of a job running here read its progress from this object; the store hears of
        // it at most every PROGRESS_WRITE_INTERVAL (and at the first and last step), which is what
        // other processes see and how a cancel asked elsewhere reaches this worker. A durable store
        // would otherwise sync a transaction per model step, in the way of every submit.
        if (lastProgressWrite == null || done >= newTotal || !now.isBefore(lastProgressWrite.plus(PROGRESS_WRITE_INTERVAL))) {
            lastProgressWrite = now;
            LeaseState state = rt.store().recordProgress(id, token, stepsDone, newTotal, percent, eta);
            onLeaseState(state);
            if (state == LeaseState.LOST) {
                return;
            }
        }
        current = current.withProgress(stepsDone, newTotal, percent, eta);
        EventBus events = rt.notifier().events();
        if (events.hasListeners(id)) {
            JobEvent event = new JobEvent(JobEvent.Kind.PROGRESS, rt.snapshots().of(current),
                    new JobProgress(id, stepsDone, newTotal, percent, eta));
            // The maintenance thread may end this run (timeout, lost lease) and publish that end
            // between the store write above and this line; decided on the event thread, so a report
            // queued behind the end is dropped instead of arriving after it.
            events.publishProgress(id, () -> timedOut || lost ? null : event);
        }
    }

    /** Called on the maintenance thread: renew the lease, enforce the timeout. */
    void maintain(Instant now) {
        if (!stuckLogged && stuck(now, QueueEngine.STUCK_AFTER)) {
            stuckLogged = true;
            Stop since = stop.get();
            log.error("{}: the backend has not returned job {} {} after it was told to stop ({}); this worker takes no "
                    + "other job until it does", worker, id, describe(Duration.between(since.at(), now)), since.reason());
        }
        if (lost || timedOut) {
            return;
        }
        Duration timeout = rt.jobTimeout();
        if (!now.isBefore(startedAt.plus(timeout))) {
            timedOut = true;
            stopRequested(now, "timed out");
            if (rt.store().fail(id, token, timeoutMessage(), now)) {
                rt.store().get(id).ifPresent(r -> rt.notifier().finished(r, JobEvent.Kind.FAILED));
            }
            return;
        }
        Duration lease = rt.leaseDuration();
        if (!now.isBefore(lastRenewal.plus(lease.dividedBy(3)))) {
            lastRenewal = now;
            onLeaseState(rt.store().renewLease(id, token, now.plus(lease)));
        }
    }

    String timeoutMessage() {
        return "timed out after " + describe(rt.jobTimeout());
    }

    private void onLeaseState(LeaseState state) {
        switch (state) {
            case CANCEL_REQUESTED -> {
                cancelRequested = true;
                stopRequested(rt.clock().instant(), "cancelled");
            }
            case LOST -> {
                lost = true;
                stopRequested(rt.clock().instant(), "lease lost");
            }
            default -> {
            }
        }
    }



    static String describe(Duration d) {
        long s = d.toSeconds();
        if (s < 1) {
            return d.toMillis() + " ms";
        }
        if (s < 120) {
            return s + " s";
        }
        return s / 60 + " min" + (s % 60 == 0 ? "" : " " + s % 60 + " s");
    }
}
