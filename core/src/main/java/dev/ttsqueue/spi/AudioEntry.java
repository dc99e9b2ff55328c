package dev.ttsqueue.spi;

import java.nio.file.Path;
import java.time.Instant;

/**
 * A clip in an {@link AudioStore}.
 *
 * @param id the clip's id ({@link Identifiers#isSafe safe})
 * @param kind upload or output
 * @param createdAt when stored
 * @param expiresAt when it stops being served; null = never
 * @param durationSeconds length of the audio
 * @param sizeBytes size of the stored WAV
 * @param path the WAV file on this machine, for stores that keep files; null otherwise
 */
public record AudioEntry(String id, AudioKind kind, Instant createdAt, Instant expiresAt, double durationSeconds, long sizeBytes, Path path) {

    public boolean isExpired(Instant now) {
        return expiresAt != null && !now.isBefore(expiresAt);
    }
}
