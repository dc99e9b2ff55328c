/**
 * How the client speaks the REST API: requests and error answers, JSON to the core's records,
 * multipart bodies, and the event streams that follow jobs (parsing, reconnection, listeners).
 * Not API: anything here may change in any release.
 */
package dev.ttsqueue.client.internal;
