/**
 * The queue's machinery: engine, workers, maintenance, snapshots and events, and the default
 * in-memory and directory stores. Not API: anything here may change in any version; depend on
 * {@code dev.ttsqueue} and {@code dev.ttsqueue.spi} instead.
 */
package dev.ttsqueue.internal;
