package dev.ttsqueue.internal;

import dev.ttsqueue.spi.JobStore;
import java.time.Clock;
import java.time.Duration;

/**
 * What a running job needs from the queue around it: the store its writes go to, the clock,
 * the speed model it reports to, snapshots and the notifier for its events, its timeout and lease.
 */
record JobRuntime(JobStore store, Clock clock, SpeedEstimator speed, Snapshots snapshots, Notifier notifier,
        Duration jobTimeout, Duration leaseDuration) {
}
