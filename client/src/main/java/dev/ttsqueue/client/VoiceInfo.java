package dev.ttsqueue.client;

/**
 * A permanent voice in the server's voice bank, as {@code GET /list-voices} describes it.
 *
 * @param name the voice's name, as {@link dev.ttsqueue.JobRequest#ttsPermanent} takes it
 * @param filename the WAV file of the voice on the server
 * @param durationSeconds length of the reference clip; 0 when the server did not say
 * @param refText its transcript; empty when none was stored
 */
public record VoiceInfo(String name, String filename, double durationSeconds, String refText) {
}
