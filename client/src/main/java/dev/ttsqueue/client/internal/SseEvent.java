package dev.ttsqueue.client.internal;

/**
 * One Server-Sent Event as it arrived.
 *
 * @param name the {@code event:} field; {@code message} when the event had none
 * @param data its {@code data:} lines joined with {@code \n}
 * @param id the {@code id:} field, or null
 */
public record SseEvent(String name, String data, String id) {
}
