/**
 * The REST server: {@link dev.ttsqueue.server.TtsServer} and its HTTP settings
 * ({@link dev.ttsqueue.server.ServerConfig}), the public API for embedding the server, and
 * {@link dev.ttsqueue.server.Launcher}, the standalone server's entry point. It turns HTTP into
 * calls of the public queue API and back, and keeps no queue logic of its own.
 */
package dev.ttsqueue.server;
