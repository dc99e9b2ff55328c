package dev.ttsqueue;

import dev.ttsqueue.spi.AudioStore;
import dev.ttsqueue.spi.JobStore;
import dev.ttsqueue.spi.Transcriber;
import dev.ttsqueue.spi.TtsBackend;
import dev.ttsqueue.spi.VoiceBank;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * How a {@link TtsJobQueue} runs, as its {@link TtsJobQueue.Builder} filled it in (defaults
 * included). Immutable; read it back with {@link TtsJobQueue#config()}.
 *
 * @param backend the model; the queue closes it
 * @param store where jobs live
 * @param audioStore where uploads and outputs live
 * @param voiceBank named voices for {@code TTS_PERMANENT}; null when none (such jobs are refused)
 * @param transcriber fills empty reference texts; null when none
 * @param workers workers, one per device
 * @param maxQueueSize queued jobs beyond which submits are refused; 0 = no limit
 * @param maxTextLength longest text in characters; 0 = the backend's limit only
 * @param jobTimeout a running job longer than this fails
 * @param leaseDuration how long a claim lasts unrenewed
 * @param maintenanceInterval how often leases, timeouts and lost workers are checked
 * @param closeGracePeriod how long {@code close()} lets running jobs finish
 * @param retentionMaxAge finished jobs older than this are deleted; null = kept until {@code cleanup}
 * @param retentionInterval how often retention runs
 * @param warmUp how long each worker runs its backend's warm-up requests before its first job; zero = none
 * @param maxAttempts claims per job before it fails as "worker lost"
 * @param fairShare tenant weights: how tenants share the workers within a priority
 * @param clock time source of timestamps, ETAs, leases and timeouts
 * @param seedSource source of random seeds
 * @param listeners job listeners registered before the first job
 * @param metricsListeners metrics listeners registered before the first job
 */
public record QueueConfig(
        TtsBackend backend,
        JobStore store,
        AudioStore audioStore,
        VoiceBank voiceBank,
        Transcriber transcriber,
        int workers,
        int maxQueueSize,
        int maxTextLength,
        Duration jobTimeout,
        Duration leaseDuration,
        Duration maintenanceInterval,
        Duration closeGracePeriod,
        Duration retentionMaxAge,
        Duration retentionInterval,
        Duration warmUp,
        int maxAttempts,
        FairShare fairShare,
        Clock clock,
        LongSupplier seedSource,
        List<JobListener> listeners,
        List<QueueMetricsListener> metricsListeners) {

    public QueueConfig {
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(audioStore, "audioStore");
        Objects.requireNonNull(jobTimeout, "jobTimeout");
        Objects.requireNonNull(leaseDuration, "leaseDuration");
        Objects.requireNonNull(maintenanceInterval, "maintenanceInterval");
        Objects.requireNonNull(closeGracePeriod, "closeGracePeriod");
        Objects.requireNonNull(retentionInterval, "retentionInterval");
        Objects.requireNonNull(warmUp, "warmUp");
        if (warmUp.isNegative()) {
            throw new IllegalArgumentException("warmUp must not be negative");
        }
        Objects.requireNonNull(fairShare, "fairShare");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(seedSource, "seedSource");
        listeners = List.copyOf(listeners);
        metricsListeners = List.copyOf(metricsListeners);
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be at least 1");
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1");
        }
    }
}
