/**
 * The stores a queue uses unless told otherwise, public so that applications construct and
 * configure them: {@link dev.ttsqueue.store.InMemoryJobStore} (the builder's default),
 * {@link dev.ttsqueue.store.InMemoryAudioStore} and {@link dev.ttsqueue.store.DirectoryAudioStore}
 * for reference clips and outputs, {@link dev.ttsqueue.store.DirectoryVoiceBank} for permanent
 * voices in the old server's folder layout. Durable and shared job stores live beside it
 * ({@code dev.ttsqueue.store.sqlite}, {@code dev.ttsqueue.store.redis}).
 *
 * <p>Also a building block for stores in other modules:
 * {@link dev.ttsqueue.store.RunOrderIndex}, the queue in run order with each job's place and the
 * work ahead of it in O(log n), and {@link dev.ttsqueue.store.FairShareTags}, the clocks that stamp
 * each new job's virtual start for fair share between tenants. Everything here depends on {@code dev.ttsqueue},
 * {@code dev.ttsqueue.spi} and {@code dev.ttsqueue.audio} only, never on the engine.
 */
package dev.ttsqueue.store;
