package dev.ttsqueue.internal;

import dev.ttsqueue.spi.AudioStore;
import dev.ttsqueue.spi.BackendInfo;
import dev.ttsqueue.spi.TtsBackend;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * What a {@link Worker} works with: the backend and what it said of itself, where outputs go, how
 * references are resolved, the jobs running in this process, the signal that there is work, how
 * long to wait without one (other nodes enqueue unheard), whether the queue still takes work, and
 * how long to warm the backend up before the first job.
 */
record WorkerSetup(JobRuntime runtime, TtsBackend backend, BackendInfo backendInfo, AudioStore audioStore,
        ReferenceResolver references, RunningJobs running, WakeSignal wake, Duration pollInterval, BooleanSupplier takingWork,
        Duration warmUp) {
}
