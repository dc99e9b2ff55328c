/**
 * Micrometer metrics of a {@link dev.ttsqueue.TtsJobQueue}: {@link dev.ttsqueue.micrometer.TtsQueueMetrics}
 * is a {@code MeterBinder} that registers the queue's depth, jobs by state, outcomes, worker busy
 * time, audio produced, real-time factor and wait and run time histograms in any
 * {@code MeterRegistry}. It listens through the core's public
 * {@link dev.ttsqueue.QueueMetricsListener}, so the core itself never depends on Micrometer.
 */
package dev.ttsqueue.micrometer;
