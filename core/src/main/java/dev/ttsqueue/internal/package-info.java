/**
 * The queue's machinery: engine, workers, maintenance, snapshots and events. Not API: anything here may change in any version; depend on
 * {@code dev.ttsqueue} and {@code dev.ttsqueue.spi} instead.
 */
package dev.ttsqueue.internal;
