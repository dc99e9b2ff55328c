/**
 * The REST resources, filters, wire formats and the standalone queue's wiring. Not API: the HTTP
 * contract (README, {@code /openapi.json}) is what clients depend on.
 */
package dev.ttsqueue.server.internal;
