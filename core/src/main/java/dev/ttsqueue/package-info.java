/**
 * What users of the queue type: {@link dev.ttsqueue.TtsJobQueue} and its builder and
 * {@link dev.ttsqueue.QueueConfig}, jobs ({@link dev.ttsqueue.JobRequest},
 * {@link dev.ttsqueue.JobHandle}, {@link dev.ttsqueue.JobSnapshot}, {@link dev.ttsqueue.JobPage}),
 * listeners and their payloads, and the exceptions, all rooted at
 * {@link dev.ttsqueue.TtsQueueException}. Everything here is public API: it changes only with a
 * new version, and every method says what it does on null, on failure, and in which thread its
 * callbacks run.
 */
package dev.ttsqueue;
