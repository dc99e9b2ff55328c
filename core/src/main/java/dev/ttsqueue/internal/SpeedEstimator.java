package dev.ttsqueue.internal;

import java.time.Duration;
import java.time.Instant;

/**
 * Running estimates of how fast this device works: seconds per backend step and steps per job,
 * both as exponentially weighted averages of what was measured (weight {@value #ALPHA} on the
 * newest sample). Times come from the queue's clock, so tests drive it with a fake one.
 */
final class SpeedEstimator {
    static final double ALPHA = 0.2;

    private double secondsPerStep = Double.NaN;
    private double stepsPerJob = Double.NaN;

    /** Records that {@code steps} steps took {@code elapsed}. */
    synchronized void recordSteps(int steps, Duration elapsed) {
        if (steps <= 0 || elapsed.isNegative()) {
            return;
        }
        double sample = elapsed.toNanos() / 1e9 / steps;
        secondsPerStep = Double.isNaN(secondsPerStep) ? sample : (1 - ALPHA) * secondsPerStep + ALPHA * sample;
    }

    /** Records the total steps of a finished job. */
    synchronized void recordJob(int totalSteps) {
        if (totalSteps <= 0) {
            return;
        }
        stepsPerJob = Double.isNaN(stepsPerJob) ? totalSteps : (1 - ALPHA) * stepsPerJob + ALPHA * totalSteps;
    }

    /** Seconds per step, or NaN before the first measurement. */
    synchronized double secondsPerStep() {
        return secondsPerStep;
    }

    /** Steps per job, or NaN before the first finished job. */
    synchronized double stepsPerJob() {
        return stepsPerJob;
    }

    /** {@code now + steps × seconds-per-step}, or null while nothing was measured. */
    Instant after(Instant now, double steps) {
        double sps = secondsPerStep();
        if (Double.isNaN(sps) || Double.isNaN(steps)) {
            return null;
        }
        return now.plusNanos((long) (Math.max(0, steps) * sps * 1e9));
    }
}
