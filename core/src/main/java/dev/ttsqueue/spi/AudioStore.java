package dev.ttsqueue.spi;

import dev.ttsqueue.JobRequest;
import dev.ttsqueue.audio.AudioClip;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Uploaded reference clips and generated output, by id, as WAV. Thread-safe.
 */
public interface AudioStore extends AutoCloseable {

    /** Stores {@code clip} as 16-bit WAV under a new id, owned by the {@link JobRequest#ANONYMOUS_TENANT}. */
    AudioEntry save(AudioKind kind, AudioClip clip) throws IOException;

    /**
     * Stores {@code clip} as 16-bit WAV under a new id, owned by the tenant {@code owner}: the
     * entry's {@link AudioEntry#owner()} reads it back from then on, after a restart and from
     * every node sharing the store. The store only keeps the owner; who may see a clip is the
     * caller's rule (the server answers another tenant's clip as an unknown one).
     *
     * <p>The default keeps no owner: it saves through {@link #save(AudioKind, AudioClip)} for the
     * anonymous tenant and refuses any other owner, so that a store written before owners never
     * hands one tenant's clip to everyone.
     *
     * @param owner a tenant name as {@link JobRequest#checkTenant} accepts it; null or empty for the anonymous tenant
     * @throws UnsupportedOperationException when this store keeps no owners and {@code owner} is not anonymous
     * @throws dev.ttsqueue.InvalidRequestException when {@code owner} is not a valid tenant name
     */
    default AudioEntry save(AudioKind kind, AudioClip clip, String owner) throws IOException {
        if (!JobRequest.checkTenant(owner).isEmpty()) {
            throw new UnsupportedOperationException(getClass().getName() + " keeps no owner for its clips");
        }
        return save(kind, clip);
    }

    /** The entry, expired or not; empty when unknown. Ids that are not safe are simply unknown. */
    Optional<AudioEntry> find(String id);

    /** Decodes the stored clip. */
    AudioClip load(String id) throws IOException;

    /** The stored WAV bytes, for download. */
    InputStream open(String id) throws IOException;

    boolean delete(String id) throws IOException;

    List<AudioEntry> list();

    /** Deletes entries whose expiry is at or before {@code now}; returns how many. */
    int purgeExpired(Instant now) throws IOException;

    /**
     * Why the stored clip {@code id} cannot be read, when the store found it damaged (a WAV whose
     * header no longer parses after a disk fault or a hand edit); empty for a readable clip or an
     * unknown id. A damaged clip is kept and still listed and served as the bytes it is, so what
     * happened to it stays visible rather than turning into a "not found".
     */
    default Optional<String> damage(String id) {
        return Optional.empty();
    }

    /** The folders a server may accept as {@code ref_audio_path} roots; empty for non-file stores. */
    default List<Path> roots() {
        return List.of();
    }

    @Override
    default void close() throws IOException {
    }
}
