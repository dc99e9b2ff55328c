package dev.ttsqueue.spi;

import dev.ttsqueue.JobRequest;
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
 * @param owner the tenant the clip belongs to: the uploader's, or for an output the tenant of the
 *     job that made it; {@link JobRequest#ANONYMOUS_TENANT} (never null) for clips saved without one,
 *     clips stored before owners were kept included
 */
public record AudioEntry(String id, AudioKind kind, Instant createdAt, Instant expiresAt, double durationSeconds, long sizeBytes, Path path,
        String owner) {

    /** Null {@code owner} = the anonymous tenant. */
    public AudioEntry {
        owner = owner == null ? JobRequest.ANONYMOUS_TENANT : owner;
    }

    /** An entry of the {@link JobRequest#ANONYMOUS_TENANT}. */
    public AudioEntry(String id, AudioKind kind, Instant createdAt, Instant expiresAt, double durationSeconds, long sizeBytes, Path path) {
        this(id, kind, createdAt, expiresAt, durationSeconds, sizeBytes, path, JobRequest.ANONYMOUS_TENANT);
    }

    public boolean isExpired(Instant now) {
        return expiresAt != null && !now.isBefore(expiresAt);
    }
}
