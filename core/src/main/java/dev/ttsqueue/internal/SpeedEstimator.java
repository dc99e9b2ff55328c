package dev.ttsqueue.internal;

import java.time.Duration;
import java.time.Instant;

/**
 * How fast this device works, learnt from what it did:
 * <ul>
 *   <li>seconds per backend step, an exponentially weighted average (weight {@value #ALPHA} on the
 *       newest sample), for a running job that has not reported a step of its own yet;
 *   <li>seconds per job as a straight line in the job's work (characters of text): a fixed cost per
 *       job plus a cost per character, fitted by least squares over finished jobs with older jobs
 *       weighing less (each new job multiplies the weight of the earlier ones by {@value #DECAY}).
 *       The fixed part is what makes a queue of many short jobs take longer than one long job of
 *       the same length; the per-character part is what tells a paragraph from a word.
 * </ul>
 * Times come from the queue's clock, so tests drive it with a fake one. Thread-safe.
 */
final class SpeedEstimator {
    static final double ALPHA = 0.2;
    static final double DECAY = 0.85;

    private double secondsPerStep = Double.NaN;

    // Decayed sums over finished jobs of 1, work (x), seconds (y), x², xy.
    private double n;
    private double sx;
    private double sy;
    private double sxx;
    private double sxy;
    /** The fitted line, refreshed on every finished job: seconds = perJob + perWork × work. */
    private double perJob = Double.NaN;
    private double perWork = Double.NaN;

    /** Records that {@code steps} steps took {@code elapsed}. */
    synchronized void recordSteps(int steps, Duration elapsed) {
        if (steps <= 0 || elapsed.isNegative()) {
            return;
        }
        double sample = elapsed.toNanos() / 1e9 / steps;
        secondsPerStep = Double.isNaN(secondsPerStep) ? sample : (1 - ALPHA) * secondsPerStep + ALPHA * sample;
    }

    /** Records that a job of {@code work} characters ran for {@code elapsed}. */
    synchronized void recordJob(long work, Duration elapsed) {
        if (work < 0 || elapsed.isNegative()) {
            return;
        }
        double x = work;
        double y = elapsed.toNanos() / 1e9;
        n = DECAY * n + 1;
        sx = DECAY * sx + x;
        sy = DECAY * sy + y;
        sxx = DECAY * sxx + x * x;
        sxy = DECAY * sxy + x * y;
        fit();
    }

    /** Least squares with both coefficients kept at or above zero. */
    private void fit() {
        double meanX = sx / n;
        double meanY = sy / n;
        double varX = sxx / n - meanX * meanX;
        double slope = Double.NaN;
        double intercept = Double.NaN;
        // Work that barely varied says nothing about the cost per character.
        if (varX > 1e-9 * Math.max(1, meanX * meanX)) {
            slope = (sxy / n - meanX * meanY) / varX;
            intercept = meanY - slope * meanX;
        }
        if (Double.isNaN(slope) || slope < 0) {
            // All jobs alike, or longer ones no slower: a cost per job.
            perWork = 0;
            perJob = meanY;
        } else if (intercept < 0) {
            // Cheaper than proportional for short jobs: a cost per character alone, through the origin.
            perJob = 0;
            perWork = sxx > 0 ? sxy / sxx : 0;
        } else {
            perJob = intercept;
            perWork = slope;
        }
    }

    /** Seconds per step, or NaN before the first measurement. */
    synchronized double secondsPerStep() {
        return secondsPerStep;
    }

    /** True once a job finished, so that queued jobs can be estimated. */
    synchronized boolean knowsJobs() {
        return !Double.isNaN(perJob);
    }

    /**
     * Seconds that {@code jobs} jobs of {@code work} characters in all are expected to take, or
     * NaN before the first finished job.
     */
    synchronized double secondsFor(long jobs, long work) {
        if (Double.isNaN(perJob)) {
            return Double.NaN;
        }
        return jobs * perJob + Math.max(0, work) * perWork;
    }

    /** Seconds one job of {@code work} characters is expected to take, or NaN before the first finished job. */
    double secondsFor(long work) {
        return secondsFor(1, work);
    }

    /** The average work of the recent jobs, or NaN before the first. */
    synchronized double averageWork() {
        return n > 0 ? sx / n : Double.NaN;
    }

    /** {@code now + steps × seconds-per-step}, or null while nothing was measured. */
    Instant after(Instant now, double steps) {
        double sps = secondsPerStep();
        if (Double.isNaN(sps) || Double.isNaN(steps)) {
            return null;
        }
        return plusSeconds(now, Math.max(0, steps) * sps);
    }

    /** {@code now + seconds}, or null for NaN. */
    static Instant plusSeconds(Instant now, double seconds) {
        if (Double.isNaN(seconds)) {
            return null;
        }
        return now.plusNanos((long) (Math.max(0, seconds) * 1e9));
    }
}
