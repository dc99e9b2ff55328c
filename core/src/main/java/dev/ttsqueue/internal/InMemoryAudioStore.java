package dev.ttsqueue.internal;

import dev.ttsqueue.audio.AudioClip;
import dev.ttsqueue.spi.AudioEntry;
import dev.ttsqueue.spi.AudioKind;
import dev.ttsqueue.spi.AudioStore;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** PENDING: replaced by the audio work. */
public final class InMemoryAudioStore implements AudioStore {
    public InMemoryAudioStore(Clock clock, Duration uploadTtl, Duration outputTtl) {
    }

    @Override
    public AudioEntry save(AudioKind kind, AudioClip clip) throws IOException {
        throw new UnsupportedOperationException("pending");
    }

    @Override
    public Optional<AudioEntry> find(String id) {
        throw new UnsupportedOperationException("pending");
    }

    @Override
    public AudioClip load(String id) throws IOException {
        throw new UnsupportedOperationException("pending");
    }

    @Override
    public InputStream open(String id) throws IOException {
        throw new UnsupportedOperationException("pending");
    }

    @Override
    public boolean delete(String id) throws IOException {
        throw new UnsupportedOperationException("pending");
    }

    @Override
    public List<AudioEntry> list() {
        throw new UnsupportedOperationException("pending");
    }

    @Override
    public int purgeExpired(Instant now) throws IOException {
        throw new UnsupportedOperationException("pending");
    }
}
