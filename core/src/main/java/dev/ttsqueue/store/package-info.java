/**
 * Building blocks for job stores, public so that stores in other modules use them too:
 * {@link dev.ttsqueue.store.RunOrderIndex}, the queue in run order with each job's place and the
 * work ahead of it in O(log n).
 */
package dev.ttsqueue.store;
