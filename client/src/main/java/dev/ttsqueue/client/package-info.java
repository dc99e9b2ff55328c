/**
 * The remote client of a TTS Job Queue server: {@link dev.ttsqueue.client.TtsQueueClient}, the
 * {@link dev.ttsqueue.JobQueue} of the embedded queue over the REST API, and the exceptions for
 * faults only a network has. Everything here is public API and follows semantic versioning.
 */
package dev.ttsqueue.client;
