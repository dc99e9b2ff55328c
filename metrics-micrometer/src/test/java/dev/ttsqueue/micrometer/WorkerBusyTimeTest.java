package dev.ttsqueue.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.MockClock;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class WorkerBusyTimeTest {
    private final MockClock clock = new MockClock();
    private final WorkerBusyTime busy = new WorkerBusyTime(clock, 2);

    @Test
    void aRunningSpellCountsUpToNowAndStopsAtIdle() {
        busy.busy(0);
        clock.add(3, TimeUnit.SECONDS);
        assertEquals(3.0, busy.busySeconds(0), 1e-9);
        clock.add(2, TimeUnit.SECONDS);
        busy.idle(0);
        clock.add(10, TimeUnit.SECONDS);
        assertEquals(5.0, busy.busySeconds(0), 1e-9);
        busy.busy(0);
        clock.add(1, TimeUnit.SECONDS);
        assertEquals(6.0, busy.busySeconds(0), 1e-9);
        assertEquals(0.0, busy.busySeconds(1), 1e-9);
    }

    @Test
    void theRatioFollowsTheLoadAverageWeighting() {
        busy.busy(1);
        clock.add(60, TimeUnit.SECONDS);
        assertEquals(1 - Math.exp(-1), busy.busyRatio(1), 1e-9);
        busy.idle(1);
        clock.add(60, TimeUnit.SECONDS);
        assertEquals((1 - Math.exp(-1)) * Math.exp(-1), busy.busyRatio(1), 1e-9);
        assertEquals(0.0, busy.busyRatio(0), 1e-9);
    }

    @Test
    void aWorkerBusyForLongShowsARatioNearOne() {
        busy.busy(0);
        clock.add(30, TimeUnit.MINUTES);
        assertEquals(1.0, busy.busyRatio(0), 1e-9);
        assertEquals(1800.0, busy.busySeconds(0), 1e-9);
    }

    @Test
    void anIdleWithoutABusyAndUnknownWorkersAreIgnored() {
        busy.idle(0);
        busy.busy(7);
        busy.idle(-1);
        clock.add(5, TimeUnit.SECONDS);
        assertEquals(0.0, busy.busySeconds(0), 1e-9);
        busy.busy(0);
        busy.busy(0);
        clock.add(5, TimeUnit.SECONDS);
        busy.idle(0);
        assertEquals(5.0, busy.busySeconds(0), 1e-9);
    }
}
