package dev.ttsqueue.benchmarks.core;

import dev.ttsqueue.audio.AudioClip;
import dev.ttsqueue.spi.AudioEntry;
import dev.ttsqueue.spi.AudioKind;
import dev.ttsqueue.spi.AudioStore;
import java.io.FileNotFoundException;
import java.io.InputStream;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keeps one reference clip and drops every output: lets a benchmark measure the queue's own cost
 * (time and heap) with audio excluded.
 */
public final class DiscardingAudioStore implements AudioStore {
    private static final Instant EPOCH = Instant.EPOCH;
    private final AtomicLong next = new AtomicLong();
    private volatile AudioEntry reference;
    private volatile AudioClip referenceClip;

    @Override
    public AudioEntry save(AudioKind kind, AudioClip clip) {
        return save(kind, clip, null);
    }

    @Override
    public AudioEntry save(AudioKind kind, AudioClip clip, String owner) {
        AudioEntry e = new AudioEntry("a" + next.incrementAndGet(), kind, EPOCH, null, clip.durationSeconds(), 0, null, owner);
        if (kind == AudioKind.UPLOAD) {
            reference = e;
            referenceClip = clip;
        }
        return e;
    }

    @Override
    public Optional<AudioEntry> find(String id) {
        AudioEntry r = reference;
        return r != null && r.id().equals(id) ? Optional.of(r) : Optional.empty();
    }

    @Override
    public AudioClip load(String id) throws FileNotFoundException {
        if (find(id).isEmpty()) {
            throw new FileNotFoundException(id);
        }
        return referenceClip;
    }

    @Override
    public InputStream open(String id) throws FileNotFoundException {
        throw new FileNotFoundException("outputs are discarded in benchmarks");
    }

    @Override
    public boolean delete(String id) {
        return false;
    }

    @Override
    public List<AudioEntry> list() {
        return reference == null ? List.of() : List.of(reference);
    }

    @Override
    public int purgeExpired(Instant now) {
        return 0;
    }
}
