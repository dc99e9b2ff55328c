package dev.ttsqueue.store;

import dev.ttsqueue.JobRequest;
import dev.ttsqueue.ReferenceNotFoundException;
import dev.ttsqueue.audio.AudioClip;
import dev.ttsqueue.audio.WavCodec;
import dev.ttsqueue.audio.WavFormat;
import dev.ttsqueue.spi.AudioEntry;
import dev.ttsqueue.spi.AudioKind;
import dev.ttsqueue.spi.AudioStore;
import dev.ttsqueue.spi.Identifiers;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps clips in memory as the same 16-bit WAV bytes a directory store would write, so loading
 * returns the same (quantised) audio whichever store is used. Nothing survives the process.
 * Thread-safe.
 */
public final class InMemoryAudioStore implements AudioStore {
    private record Stored(AudioEntry entry, byte[] wav) {
    }

    private final Clock clock;
    private final Duration uploadTtl;
    private final Duration outputTtl;
    private final Map<String, Stored> clips = new ConcurrentHashMap<>();

    /**
     * @param uploadTtl how long an upload is served; null = forever
     * @param outputTtl how long an output is served; null = forever
     * @throws IllegalArgumentException when a TTL is negative
     */
    public InMemoryAudioStore(Clock clock, Duration uploadTtl, Duration outputTtl) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.uploadTtl = StoreExpiry.checkTtl("uploadTtl", uploadTtl);
        this.outputTtl = StoreExpiry.checkTtl("outputTtl", outputTtl);
    }

    @Override
    public AudioEntry save(AudioKind kind, AudioClip clip) {
        return save(kind, clip, JobRequest.ANONYMOUS_TENANT);
    }

    @Override
    public AudioEntry save(AudioKind kind, AudioClip clip, String owner) {
        String tenant = JobRequest.checkTenant(owner);
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(clip, "clip");
        byte[] wav = WavCodec.encode(clip, WavFormat.PCM_16);
        Instant now = clock.instant();
        AudioEntry entry = new AudioEntry(Identifiers.newId(), kind, now,
                StoreExpiry.expiry(now, kind == AudioKind.UPLOAD ? uploadTtl : outputTtl), clip.durationSeconds(), wav.length, null, tenant);
        clips.put(entry.id(), new Stored(entry, wav));
        return entry;
    }

    @Override
    public Optional<AudioEntry> find(String id) {
        return stored(id).map(Stored::entry);
    }

    /** @throws ReferenceNotFoundException when the id is unknown */
    @Override
    public AudioClip load(String id) {
        return WavCodec.decode(require(id).wav());
    }

    /** @throws ReferenceNotFoundException when the id is unknown */
    @Override
    public InputStream open(String id) {
        return new ByteArrayInputStream(require(id).wav());
    }

    @Override
    public boolean delete(String id) {
        return Identifiers.isSafe(id) && clips.remove(id) != null;
    }

    /** Oldest first. */
    @Override
    public List<AudioEntry> list() {
        return clips.values().stream().map(Stored::entry)
                .sorted(Comparator.comparing(AudioEntry::createdAt).thenComparing(AudioEntry::id)).toList();
    }

    @Override
    public int purgeExpired(Instant now) {
        int purged = 0;
        for (Stored s : clips.values()) {
            if (s.entry().isExpired(now) && clips.remove(s.entry().id(), s)) {
                purged++;
            }
        }
        return purged;
    }

    private Optional<Stored> stored(String id) {
        return Identifiers.isSafe(id) ? Optional.ofNullable(clips.get(id)) : Optional.empty();
    }

    private Stored require(String id) {
        return stored(id).orElseThrow(() -> new ReferenceNotFoundException("Audio file not found"));
    }
}
