package dev.ttsqueue.spi;

import java.nio.file.Path;

/**
 * A named voice in the {@link VoiceBank}.
 *
 * @param name normalised name ({@link Identifiers#normalizeVoiceName})
 * @param filename file name of its WAV, e.g. {@code alice.wav}
 * @param durationSeconds length of the reference clip
 * @param refText its transcript; empty when none was given
 * @param path the WAV on this machine, or null for non-file banks
 */
public record Voice(String name, String filename, double durationSeconds, String refText, Path path) {
}
