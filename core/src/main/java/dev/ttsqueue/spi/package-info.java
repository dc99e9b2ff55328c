/**
 * Extension points: what a model backend ({@link dev.ttsqueue.spi.TtsBackend}), a job store
 * ({@link dev.ttsqueue.spi.JobStore}), an audio store, a voice bank or a transcriber implements,
 * and the values they exchange with the queue ({@link dev.ttsqueue.spi.JobRecord},
 * {@link dev.ttsqueue.spi.Claim}, {@link dev.ttsqueue.spi.QueuePlace},
 * {@link dev.ttsqueue.spi.TenantCounts}...). {@link dev.ttsqueue.spi.VirtualTime} says how a store
 * orders the jobs of several tenants within a priority (fair share). Nothing here depends on
 * the queue's machinery; the rules every store must keep are tested by {@code JobStoreContract}
 * (core's test-jar).
 */
package dev.ttsqueue.spi;
