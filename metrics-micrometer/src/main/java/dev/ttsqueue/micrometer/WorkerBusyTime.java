package dev.ttsqueue.micrometer;

import io.micrometer.core.instrument.Clock;

/**
 * How long each worker has spent with work, told by {@code workerBusy}/{@code workerIdle} and
 * measured on the registry's clock: the total (a running spell counts up to now, so a long job
 * does not show as one jump at its end) and a share of recent time, weighted exponentially as the
 * load average is, so that it needs no history.
 *
 * <p>Each worker's state is written by that worker's thread and read by whoever scrapes: one lock
 * per worker, held for a few arithmetic operations.
 */
final class WorkerBusyTime {
    /** The weighting's time constant: a worker busy from now on shows 0.63 after it, 0.95 after three. */
    static final double RATIO_TIME_CONSTANT_SECONDS = 60;

    private final Clock clock;
    private final Worker[] workers;

    WorkerBusyTime(Clock clock, int workers) {
        this.clock = clock;
        this.workers = new Worker[workers];
        long now = clock.monotonicTime();
        for (int i = 0; i < workers; i++) {
            this.workers[i] = new Worker(now);
        }
    }

    int workers() {
        return workers.length;
    }

    void busy(int worker) {
        if (known(worker)) {
            workers[worker].turn(true, clock.monotonicTime());
        }
    }

    /** A worker seen idle without having been seen busy (bound mid-job) keeps no time for that job. */
    void idle(int worker) {
        if (known(worker)) {
            workers[worker].turn(false, clock.monotonicTime());
        }
    }

    /** Seconds the worker has been busy since binding, its current spell included. */
    double busySeconds(int worker) {
        return workers[worker].busyNanos(clock.monotonicTime()) / 1e9;
    }

    /** Its share of recent time spent busy, 0 to 1. */
    double busyRatio(int worker) {
        return workers[worker].ratio(clock.monotonicTime());
    }

    private boolean known(int worker) {
        return worker >= 0 && worker < workers.length;
    }

    private static final class Worker {
        private long busyNanos;
        /** Start of the running spell; meaningful while {@link #busy}. */
        private long busySince;
        private boolean busy;
        private double ratio;
        private long ratioAt;

        Worker(long now) {
            this.ratioAt = now;
        }

        synchronized void turn(boolean nowBusy, long now) {
            decay(now);
            if (busy && !nowBusy) {
                busyNanos += Math.max(0, now - busySince);
            } else if (!busy && nowBusy) {
                busySince = now;
            }
            busy = nowBusy;
        }

        synchronized long busyNanos(long now) {
            return busy ? busyNanos + Math.max(0, now - busySince) : busyNanos;
        }

        synchronized double ratio(long now) {
            decay(now);
            return ratio;
        }

        /** Moves the weighted share to {@code now}, the worker having been in its present state since the last move. */
        private void decay(long now) {
            double elapsed = Math.max(0, now - ratioAt) / 1e9;
            double keep = Math.exp(-elapsed / RATIO_TIME_CONSTANT_SECONDS);
            ratio = ratio * keep + (busy ? 1 - keep : 0);
            ratioAt = Math.max(ratioAt, now);
        }
    }
}
