/**
 * A durable {@link dev.ttsqueue.spi.JobStore} in one SQLite file:
 * {@link dev.ttsqueue.store.sqlite.SqliteJobStore}, and the exceptions it throws. Public API.
 */
package dev.ttsqueue.store.sqlite;
