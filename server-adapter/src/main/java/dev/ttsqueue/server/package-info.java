/**
 * The REST server: {@link dev.ttsqueue.server.TtsServer} and its configuration. It turns HTTP into
 * calls of the public queue API and back, and keeps no queue logic of its own. Public API for
 * embedding the server.
 */
package dev.ttsqueue.server;
