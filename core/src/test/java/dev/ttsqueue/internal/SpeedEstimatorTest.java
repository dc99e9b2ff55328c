package dev.ttsqueue.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SpeedEstimatorTest {

    private static Duration seconds(double s) {
        return Duration.ofNanos(Math.round(s * 1e9));
    }

    @Test
    void knowsNothingBeforeTheFirstJob() {
        SpeedEstimator speed = new SpeedEstimator();
        assertFalse(speed.knowsJobs());
        assertTrue(Double.isNaN(speed.secondsFor(100)));
        assertTrue(Double.isNaN(speed.averageWork()));
    }

    @Test
    void findsTheCostPerJobAndPerCharacterOfALinearDevice() {
        SpeedEstimator speed = new SpeedEstimator();
        Random random = new Random(7);
        for (int i = 0; i < 200; i++) {
            int chars = 5 + random.nextInt(400);
            speed.recordJob(chars, seconds(0.5 + 0.01 * chars));
        }
        assertEquals(0.5 + 0.01 * 100, speed.secondsFor(100), 1e-6);
        assertEquals(10 * 0.5 + 0.01 * 1_000, speed.secondsFor(10, 1_000), 1e-6);
    }

    @Test
    void followsADeviceThatGetsSlower() {
        SpeedEstimator speed = new SpeedEstimator();
        for (int i = 0; i < 100; i++) {
            speed.recordJob(50 + i % 7, seconds(1.0));
        }
        for (int i = 0; i < 100; i++) {
            speed.recordJob(50 + i % 7, seconds(3.0));
        }
        // Older jobs fade: after 100 jobs at the new speed the old ones weigh DECAY^100, far below 1 %.
        assertEquals(3.0, speed.secondsFor(53), 0.05);
    }

    @Test
    void jobsOfOneLengthGiveACostPerJob() {
        SpeedEstimator speed = new SpeedEstimator();
        speed.recordJob(40, seconds(2));
        speed.recordJob(40, seconds(4));
        assertTrue(speed.knowsJobs());
        double perJob = speed.secondsFor(40);
        assertTrue(perJob > 2 && perJob < 4, "a weighted mean of the two: " + perJob);
        assertEquals(perJob, speed.secondsFor(4_000), 1e-9, "no cost per character can be told from one length");
        assertEquals(3 * perJob, speed.secondsFor(3, 120), 1e-9);
    }

    @Test
    void neverPredictsANegativeCost() {
        SpeedEstimator speed = new SpeedEstimator();
        // Longer jobs faster: no cost per character, a cost per job.
        speed.recordJob(10, seconds(5));
        speed.recordJob(100, seconds(1));
        assertTrue(speed.secondsFor(1_000) > 0);
        assertEquals(speed.secondsFor(10), speed.secondsFor(1_000), 1e-9);
        // A line through the points would cross zero: a cost per character alone instead.
        SpeedEstimator steep = new SpeedEstimator();
        steep.recordJob(10, seconds(0.1));
        steep.recordJob(100, seconds(10));
        assertEquals(0, steep.secondsFor(0, 0), 1e-12);
        assertTrue(steep.secondsFor(1) > 0);
    }

    @Test
    void stepsAreAveragedWithMoreWeightOnTheNewest() {
        SpeedEstimator speed = new SpeedEstimator();
        speed.recordSteps(2, seconds(2));
        assertEquals(1.0, speed.secondsPerStep(), 1e-9);
        speed.recordSteps(1, seconds(2));
        assertEquals(0.8 * 1.0 + 0.2 * 2.0, speed.secondsPerStep(), 1e-9);
    }
}
